import Foundation
import HedgerowTestSupport
import Testing
import Yams

/// deploy/kubernetes is what a k3s user applies: it must pass the Kubernetes schemas strictly,
/// and the agent's command line in the DaemonSet must be one hagent accepts.
@Suite struct DeployManifestTests {
    static let directory = TestPaths.repositoryRoot.appendingPathComponent("deploy/kubernetes")
    /// The Kubernetes minor versions k3s's supported release channels ship.
    static let kubernetesVersions = ["1.34.0", "1.35.0", "1.36.0"]

    static func manifests() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    @Test func manifestsPassKubernetesValidateStrictly() throws {
        let validator = TestPaths.repositoryRoot.appendingPathComponent(".venv/bin/kubernetes-validate").path
        try #require(FileManager.default.isExecutableFile(atPath: validator), "kubernetes-validate missing: run `make deps`")
        let files = try Self.manifests().map(\.path)
        #expect(files.count == 4)
        for version in Self.kubernetesVersions {
            let result = try Shell.capture([validator, "--strict", "--kubernetes-version", version] + files)
            #expect(result.status == 0, "Kubernetes \(version): \(result.stdout)\(result.stderr)")
            // One line per object: a file whose objects were skipped would not say "passed".
            #expect(result.stdout.components(separatedBy: " passed for resource ").count - 1 == 7)
        }
    }

    /// Objects of every file, as Yams reads them.
    static func objects() throws -> [[String: Any]] {
        try manifests().flatMap { url in
            try Yams.load_all(yaml: String(contentsOf: url, encoding: .utf8)).compactMap { $0 as? [String: Any] }
        }
    }

    @Test func theDaemonSetRunsTheAgentWithFlagsItHas() throws {
        let daemonSet = try #require(try Self.objects().first { $0["kind"] as? String == "DaemonSet" })
        let podSpec = try #require((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])["spec"] as? [String: Any]
        let agent = try #require((podSpec?["containers"] as? [[String: Any]])?.first { $0["name"] as? String == "agent" })
        let arguments = try #require(agent["args"] as? [String])
        #expect(arguments.first == "run")
        let help = try Shell.run([TestPaths.binary("hagent"), "run", "--help"])
        for flag in arguments.dropFirst() {
            let name = String(flag.prefix { $0 != "=" })
            #expect(help.contains(name + " ") || help.contains(name + "\n"), "hagent run has no \(name)")
        }
        #expect(podSpec?["hostNetwork"] as? Bool == true)
        #expect(podSpec?["serviceAccountName"] as? String == "hedgerow")
    }

    @Test func theChainedNetworkListEndsWithHedgerowCNI() throws {
        let configMap = try #require(try Self.objects().first { $0["kind"] as? String == "ConfigMap" })
        let text = try #require((configMap["data"] as? [String: Any])?["05-hedgerow.conflist"] as? String)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(list["cniVersion"] as? String == "1.0.0")
        let types = (list["plugins"] as? [[String: Any]])?.compactMap { $0["type"] as? String }
        #expect(types == ["flannel", "portmap", "hedgerow-cni"])
    }

    @Test func theAgentRoleOnlyReads() throws {
        let role = try #require(try Self.objects().first { $0["kind"] as? String == "ClusterRole" })
        let rules = try #require(role["rules"] as? [[String: Any]])
        let verbs = Set(rules.flatMap { $0["verbs"] as? [String] ?? [] })
        #expect(verbs == ["get", "list", "watch"])
        let resources = Set(rules.flatMap { $0["resources"] as? [String] ?? [] })
        #expect(resources == [
            "namespaces", "pods", "services", "endpointslices", "networkpolicies", "ciliumnetworkpolicies",
            "ciliumclusterwidenetworkpolicies",
        ])
    }
}
