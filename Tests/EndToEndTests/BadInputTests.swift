import Foundation
import HedgerowTestSupport
import Testing

/// Bad input never half-creates anything, and the message says what and where.
@Suite struct BadInputTests {
    private static let runtimeEnvironment = [
        "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c-1", "CNI_NETNS": "/run/netns/nowhere", "CNI_IFNAME": "eth0",
        "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a", "CNI_PATH": "/usr/lib/cni",
    ]

    private func plugin(_ environment: [String: String], stdin: String) throws -> (status: Int32, stdout: String) {
        let result = try Shell.capture([TestPaths.binary("hedgerow-cni")], stdin: stdin, environment: environment)
        return (result.status, result.stdout)
    }

    @Test func cniAddWithoutRequiredVariablesIsCode4NamingThem() throws {
        var environment = Self.runtimeEnvironment
        environment["CNI_CONTAINERID"] = nil
        environment["CNI_IFNAME"] = nil
        let result = try plugin(environment, stdin: #"{"cniVersion":"1.0.0","name":"n","type":"hedgerow-cni"}"#)
        #expect(result.status != 0)
        #expect(result.stdout.contains("\"code\" : 4"))
        #expect(result.stdout.contains("CNI_CONTAINERID") && result.stdout.contains("CNI_IFNAME"))
    }

    @Test func cniAddWithInvalidJSONIsCode6() throws {
        let result = try plugin(Self.runtimeEnvironment, stdin: #"{"cniVersion":"1.0.0","name":"#)
        #expect(result.status != 0)
        #expect(result.stdout.contains("\"code\" : 6"))
    }

    @Test func cniAddWithoutPrevResultSaysItMustBeChained() throws {
        let result = try plugin(Self.runtimeEnvironment, stdin: #"{"cniVersion":"1.0.0","name":"n","type":"hedgerow-cni"}"#)
        #expect(result.status != 0)
        #expect(result.stdout.contains("must be chained after"))
    }

    @Test func hagentRunRejectsABadCodeTrimIntervalBeforeDoingAnything() throws {
        let result = try Shell.capture([TestPaths.binary("hagent"), "run", "--code-trim-interval", "soon", "--api-socket", "/nonexistent/agent.sock"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(#"invalid --code-trim-interval "soon": expected a duration such as 30s or 5m, or 0"#), "\(result.stderr)")
    }

    @Test func cniVersionAnswersWithoutConfig() throws {
        let result = try plugin(["CNI_COMMAND": "VERSION"], stdin: "")
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"1.0.0\""))
    }

    /// A malformed manifest dropped into a running agent's directory: the error names the file
    /// and field, the previous cluster state stays in force, and fixing the file clears it.
    @Test(.enabled(if: Privileged.shouldRun))
    func malformedManifestKeepsThePreviousState() throws {
        let lab = try LabHarness(prefix: "e2m")
        defer { lab.down() }
        let bad = "\(lab.stateDirectory)/manifests/zz-bad.yaml"
        try """
            apiVersion: v1
            kind: Pod
            metadata: {name: c, namespace: x}
            spec:
              containers:
                - name: web
                  ports: [{containerPort: 70000}]
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        let status = try LabHarness.eventually("the manifest error in hagent status") {
            let status = try lab.status()
            return status.warnings.contains { $0.contains("zz-bad.yaml doc 1 (Pod x/c)") } ? status : nil
        }
        #expect(status.warnings.contains { $0.contains("spec.containers[0].ports[0].containerPort") })
        #expect(status.pods == 3)
        #expect(try lab.endpoints().count == 3)

        try FileManager.default.removeItem(atPath: bad)
        try LabHarness.eventually("the warning to clear") { try lab.status().warnings.isEmpty ? true : nil }
    }
}
