import Testing

@testable import HedgerowCNI

@Suite struct CNIEnvironmentTests {
    static let add: [String: String] = [
        "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c0ffee", "CNI_NETNS": "/var/run/netns/p1", "CNI_IFNAME": "eth0",
        "CNI_PATH": "/usr/lib/cni:/opt/cni/bin",
        "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a;K8S_POD_INFRA_CONTAINER_ID=c0ffee;K8S_POD_UID=123",
        "PATH": "/usr/bin",
    ]

    func environment(_ changes: [String: String?]) -> [String: String] {
        var environment = Self.add
        for (key, value) in changes { environment[key] = value }
        return environment
    }

    @Test func readsAnADD() throws {
        let env = try CNIEnvironment(environment: Self.add)
        #expect(env.command == .add)
        #expect(env.containerID == "c0ffee" && env.netns == "/var/run/netns/p1" && env.ifName == "eth0")
        #expect(env.path == ["/usr/lib/cni", "/opt/cni/bin"])
        #expect(env.args.podNamespace == "x" && env.args.podName == "a")
        #expect(env.args.podInfraContainerID == "c0ffee" && env.args.podUID == "123")
    }

    @Test func missingVariablesAreCode4AndNamed() {
        #expect(throws: CNIError(.invalidEnvironmentVariables, "required env variables [CNI_NETNS] missing")) {
            try CNIEnvironment(environment: environment(["CNI_NETNS": nil]))
        }
        #expect(throws: CNIError(.invalidEnvironmentVariables, "required env variables [CNI_CONTAINERID, CNI_IFNAME, CNI_PATH] missing")) {
            try CNIEnvironment(environment: environment(["CNI_CONTAINERID": nil, "CNI_IFNAME": "", "CNI_PATH": nil]))
        }
        #expect(throws: CNIError(.invalidEnvironmentVariables, "required env variables [CNI_COMMAND] missing")) {
            try CNIEnvironment(environment: [:])
        }
    }

    @Test func delMayOmitTheNetns() throws {
        let env = try CNIEnvironment(environment: environment(["CNI_COMMAND": "DEL", "CNI_NETNS": nil]))
        #expect(env.command == .del && env.netns == nil && env.containerID == "c0ffee")
    }

    @Test func checkNeedsTheNetns() {
        #expect(throws: CNIError(.invalidEnvironmentVariables, "required env variables [CNI_NETNS] missing")) {
            try CNIEnvironment(environment: environment(["CNI_COMMAND": "CHECK", "CNI_NETNS": nil]))
        }
    }

    @Test func versionNeedsNothingElse() throws {
        let env = try CNIEnvironment(environment: ["CNI_COMMAND": "VERSION", "CNI_ARGS": "garbage"])
        #expect(env.command == .version && env.containerID == nil && env.path.isEmpty)
    }

    @Test func unsupportedAndUnknownCommands() {
        for command in ["GC", "STATUS"] {
            #expect(throws: CNIError(
                .invalidEnvironmentVariables, "unsupported CNI_COMMAND \"\(command)\"",
                details: "this plugin supports ADD, DEL, CHECK, VERSION")) {
                try CNIEnvironment(environment: environment(["CNI_COMMAND": command]))
            }
        }
        #expect(throws: CNIError(.invalidEnvironmentVariables, "unknown CNI_COMMAND \"add\"", details: "this plugin supports ADD, DEL, CHECK, VERSION")) {
            try CNIEnvironment(environment: environment(["CNI_COMMAND": "add"]))
        }
    }

    @Test(arguments: ["-abc", "a/b", "a b", "ä", "_x"])
    func invalidContainerIDs(id: String) {
        #expect(throws: CNIError.self) { try CNIEnvironment(environment: environment(["CNI_CONTAINERID": id])) }
        do {
            _ = try CNIEnvironment(environment: environment(["CNI_CONTAINERID": id]))
        } catch {
            #expect(error.code == .invalidEnvironmentVariables && error.message.hasPrefix("CNI_CONTAINERID \"\(id)\" is invalid"))
        }
    }

    @Test(arguments: ["abcdefghijklmnop", ".", "..", "eth/0", "eth:0", "eth 0"])
    func invalidInterfaceNames(name: String) {
        do {
            _ = try CNIEnvironment(environment: environment(["CNI_IFNAME": name]))
            Issue.record("accepted \(name)")
        } catch {
            #expect(error.code == .invalidEnvironmentVariables && error.message.hasPrefix("CNI_IFNAME \"\(name)\" is invalid"))
        }
    }

    @Test func fifteenByteInterfaceNameIsFine() throws {
        #expect(try CNIEnvironment(environment: environment(["CNI_IFNAME": "abcdefghijklmno"])).ifName == "abcdefghijklmno")
    }

    @Test func badArgsAreCode4() {
        #expect(throws: CNIError(.invalidEnvironmentVariables, "CNI_ARGS: invalid pair \"K8S_POD_NAME\" (expected KEY=VALUE)")) {
            try CNIEnvironment(environment: environment(["CNI_ARGS": "K8S_POD_NAME"]))
        }
    }
}
