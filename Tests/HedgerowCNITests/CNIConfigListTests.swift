import Foundation
import Testing

@testable import HedgerowCNI

@Suite struct CNIConfigListTests {
    static let runtime = CNIRuntimeConfig(
        containerID: "c0ffee", netns: "/var/run/netns/p1", ifName: "eth0",
        args: CNIRuntimeConfig.kubernetesArgs(namespace: "x", name: "a", infraContainerID: "c0ffee"),
        capabilityArgs: ["portMappings": .array([.object(["hostPort": .integer(8080), "containerPort": .integer(80)])]),
                         "bandwidth": .object(["ingressRate": .integer(1000)])])
    static let cniPath = ["/usr/lib/cni", "/work/main/.build/debug"]

    static func list() throws -> CNINetworkConfigList {
        try CNINetworkConfigList(jsonData: CNISamples.data(CNISamples.conflist))
    }

    @Test func decodesAConflist() throws {
        let list = try Self.list()
        #expect(list.cniVersion == "1.0.0" && list.name == "hedgerow-lab" && !list.disableCheck)
        #expect(list.pluginTypes == ["ptp", "portmap", "hedgerow-cni"])
        #expect(list.plugins[0]["ipam"]?["type"] == .string("host-local"))
    }

    @Test func encodesBackToTheSameList() throws {
        let original = try CNISamples.json(CNISamples.conflist)
        let list = try CNINetworkConfigList(json: original)
        #expect(list.json == original)
        #expect(try CNINetworkConfigList(jsonData: list.json.serialized()) == list)
    }

    @Test func firstPluginGetsNameVersionAndNoPrevResult() throws {
        let invocation = try Self.list().addInvocation(pluginAt: 0, previousResult: nil, runtime: Self.runtime, cniPath: Self.cniPath)
        #expect(invocation.pluginType == "ptp" && invocation.command == .add)
        #expect(invocation.stdin["name"] == .string("hedgerow-lab"))
        #expect(invocation.stdin["cniVersion"] == .string("1.0.0"))
        #expect(invocation.stdin["prevResult"] == nil)
        #expect(invocation.stdin["runtimeConfig"] == nil)
        #expect(invocation.stdin["ipMasq"] == .bool(false))
        // The stdin a plugin gets decodes as its configuration.
        let config = try CNINetworkConfig(stdin: invocation.stdinData)
        #expect(config.type == "ptp" && config.pluginFields["mtu"] == .integer(1500))
    }

    @Test func laterPluginsGetThePreviousResult() throws {
        let ptp = try CNIResult(jsonData: CNISamples.data(CNISamples.ptpResult))
        let invocation = try Self.list().addInvocation(pluginAt: 2, previousResult: ptp, runtime: Self.runtime, cniPath: Self.cniPath)
        #expect(invocation.pluginType == "hedgerow-cni")
        let config = try CNINetworkConfig(stdin: invocation.stdinData)
        #expect(config.prevResult == ptp)
        #expect(config.name == "hedgerow-lab" && config.pluginFields["agentSocket"] == .string("/run/hedgerow/cni.sock"))
        // The result passes through exactly as the previous plugin printed it.
        #expect(invocation.stdin["prevResult"] == (try CNISamples.json(CNISamples.ptpResult)))
    }

    @Test func listNameAndVersionReplaceThePluginsOwn() throws {
        let list = try CNINetworkConfigList(jsonData: CNISamples.data(
            #"{"cniVersion": "0.4.0", "name": "outer", "plugins": [{"type": "ptp", "name": "inner", "cniVersion": "1.0.0"}]}"#))
        let stdin = list.pluginConfig(at: 0, prevResult: nil, runtime: Self.runtime)
        #expect(stdin["name"] == .string("outer") && stdin["cniVersion"] == .string("0.4.0"))
    }

    @Test func capabilityArgsGoOnlyToPluginsThatDeclareThem() throws {
        let list = try Self.list()
        let portmap = list.pluginConfig(at: 1, prevResult: nil, runtime: Self.runtime)
        #expect(portmap["runtimeConfig"] == .object(["portMappings": Self.runtime.capabilityArgs["portMappings"]!]))
        #expect(list.pluginConfig(at: 2, prevResult: nil, runtime: Self.runtime)["runtimeConfig"] == nil)
    }

    @Test func runtimeEnvironmentStartsArgsWithIgnoreUnknown() throws {
        let invocation = try Self.list().addInvocation(pluginAt: 0, previousResult: nil, runtime: Self.runtime, cniPath: Self.cniPath)
        #expect(invocation.environment == [
            "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c0ffee", "CNI_NETNS": "/var/run/netns/p1", "CNI_IFNAME": "eth0",
            "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a;K8S_POD_INFRA_CONTAINER_ID=c0ffee",
            "CNI_PATH": "/usr/lib/cni:/work/main/.build/debug",
        ])
        // And a plugin reads it back.
        let env = try CNIEnvironment(environment: invocation.environment)
        #expect(env.args.podNamespace == "x" && env.args.podName == "a" && env.path == Self.cniPath)
    }

    @Test func ignoreUnknownIsNotRepeated() {
        let runtime = CNIRuntimeConfig(containerID: "c", netns: "/n", args: [CNIArg("IgnoreUnknown", "1"), CNIArg("A", "b")])
        #expect(CNIRuntimeEnvironment.variables(command: .del, runtime: runtime, cniPath: [])["CNI_ARGS"] == "IgnoreUnknown=1;A=b")
        let bare = CNIRuntimeConfig(containerID: "c", netns: "/n")
        #expect(CNIRuntimeEnvironment.variables(command: .add, runtime: bare, cniPath: [])["CNI_ARGS"] == "IgnoreUnknown=1")
    }

    @Test func deleteRunsInReverseWithTheCachedResult() throws {
        let cached = try CNIResult(jsonData: CNISamples.data(CNISamples.ptpResult))
        let invocations = try Self.list().deleteInvocations(cachedResult: cached, runtime: Self.runtime, cniPath: Self.cniPath)
        #expect(invocations.map(\.pluginType) == ["hedgerow-cni", "portmap", "ptp"])
        #expect(invocations.allSatisfy { $0.command == .del && $0.environment["CNI_COMMAND"] == "DEL" })
        for invocation in invocations {
            #expect(try CNINetworkConfig(stdin: invocation.stdinData).prevResult == cached)
        }
    }

    @Test func deleteWithoutACachedResultOrBefore040HasNoPrevResult() throws {
        let cached = try CNIResult(jsonData: CNISamples.data(CNISamples.ptpResult))
        #expect(try Self.list().deleteInvocations(cachedResult: nil, runtime: Self.runtime, cniPath: []).allSatisfy { $0.stdin["prevResult"] == nil })
        let old = try CNINetworkConfigList(jsonData: CNISamples.data(#"{"cniVersion": "0.3.1", "name": "n", "plugins": [{"type": "a"}, {"type": "b"}]}"#))
        let invocations = old.deleteInvocations(cachedResult: cached, runtime: Self.runtime, cniPath: [])
        #expect(invocations.map(\.pluginType) == ["b", "a"])
        #expect(invocations.allSatisfy { $0.stdin["prevResult"] == nil })
    }

    @Test func checkRunsInOrderWithTheCachedResult() throws {
        let cached = try CNIResult(jsonData: CNISamples.data(CNISamples.ptpResult))
        let invocations = try Self.list().checkInvocations(cachedResult: cached, runtime: Self.runtime, cniPath: [])
        #expect(invocations.map(\.pluginType) == ["ptp", "portmap", "hedgerow-cni"])
        #expect(try invocations.allSatisfy { try CNINetworkConfig(stdin: $0.stdinData).prevResult == cached })
    }

    @Test func checkRefusedWhenDisabledOrTooOld() throws {
        let cached = CNIResult()
        let disabled = try CNINetworkConfigList(jsonData: CNISamples.data(#"{"cniVersion": "1.0.0", "name": "n", "disableCheck": "true", "plugins": [{"type": "a"}]}"#))
        #expect(disabled.disableCheck)
        #expect(throws: CNIError(.invalidNetworkConfig, "configuration list n disables CHECK")) {
            try disabled.checkInvocations(cachedResult: cached, runtime: Self.runtime, cniPath: [])
        }
        let old = try CNINetworkConfigList(jsonData: CNISamples.data(#"{"cniVersion": "0.3.1", "name": "n", "plugins": [{"type": "a"}]}"#))
        #expect(throws: CNIError(.incompatibleCNIVersion, "configuration list version 0.3.1 does not allow CHECK")) {
            try old.checkInvocations(cachedResult: cached, runtime: Self.runtime, cniPath: [])
        }
    }

    @Test func disableCheckAcceptsBooleans() throws {
        let list = try CNINetworkConfigList(jsonData: CNISamples.data(#"{"cniVersion": "1.0.0", "name": "n", "disableCheck": true, "plugins": [{"type": "a"}]}"#))
        #expect(list.disableCheck)
        #expect(throws: CNIError(.decodingFailure, "disableCheck: expected true or false, got \"maybe\"")) {
            try CNINetworkConfigList(jsonData: CNISamples.data(#"{"cniVersion": "1.0.0", "name": "n", "disableCheck": "maybe", "plugins": [{"type": "a"}]}"#))
        }
    }

    @Test func conflistErrors() {
        let cases: [(String, CNIError)] = [
            (#"{"name": "n", "plugins": [{"type": "a"}]}"#, CNIError(.invalidNetworkConfig, "configuration list has no valid cniVersion (e.g. \"1.0.0\")")),
            (#"{"cniVersion": "1.0.0", "plugins": [{"type": "a"}]}"#, CNIError(.invalidNetworkConfig, "configuration list has no name")),
            (#"{"cniVersion": "1.0.0", "name": "n"}"#, CNIError(.invalidNetworkConfig, "configuration list has no plugins")),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": []}"#, CNIError(.invalidNetworkConfig, "configuration list has no plugins")),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "a"}, {"ipam": {}}]}"#, CNIError(.invalidNetworkConfig, "plugins[1].type: required field is missing")),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": ["ptp"]}"#, CNIError(.decodingFailure, "plugins[0]: expected an object, got a string")),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": {}}"#, CNIError(.decodingFailure, "plugins: expected an array, got an object")),
        ]
        for (json, expected) in cases {
            #expect(throws: expected, "\(json)") { try CNINetworkConfigList(jsonData: CNISamples.data(json)) }
        }
        do {
            _ = try CNINetworkConfigList(jsonData: Data("not json".utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.code == .decodingFailure)
        }
    }
}
