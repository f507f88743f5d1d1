import Foundation
import HedgerowCNI
import Testing

@testable import HedgerowLab

@Suite("Lab state")
struct LabStateTests {
    func sampleState() throws -> LabState {
        let spec = try LabFileDecoder.decode(yaml: LabFileDecodingTests.valid, file: "lab.yaml")
        var state = LabState(spec: spec, options: LabOptions(withAgent: true, binDir: "/opt/bin", bpfDir: "/opt/bpf"))
        state.nodes[0].agentPID = 4242
        var pod = PodState(spec: spec.pods[0], naming: state.naming)
        pod.ip = "10.244.1.2"
        pod.hostInterface = "veth1234"
        pod.cniResult = .object([
            "cniVersion": .string("1.0.0"),
            "ips": .array([.object(["address": .string("10.244.1.2/24"), "interface": .integer(1)])]),
            "somethingNew": .bool(true),
        ])
        state.pods.append(pod)
        return state
    }

    @Test func roundTrips() throws {
        let state = try sampleState()
        let decoded = try LabStateStore.decode(LabStateStore.encode(state))
        #expect(decoded == state)
        // Fields of the CNI result that no type knows survive (DEL must get what ADD returned).
        #expect(decoded.pods[0].cniResult?["somethingNew"] == .bool(true))
    }

    @Test func recordsEverythingTeardownNeeds() throws {
        let state = try sampleState()
        let node = state.nodes[0]
        #expect(node.netns == "hl-demo-node1")
        #expect(node.cgroup == "/sys/fs/cgroup/unified/hedgerow-lab-demo/node1")
        #expect(node.pinDirectory == "/sys/fs/bpf/hedgerow/demo-node1")
        #expect(node.conflist == "/run/hedgerow-lab/demo/cni/node1.conflist")
        let pod = state.pods[0]
        #expect(pod.netns == "hl-demo-x-a")
        #expect(pod.containerID == "hl-demo-x-a")
        #expect(pod.cgroup == "/sys/fs/cgroup/unified/hedgerow-lab-demo/node1/x-a")
        #expect(state.options.cniPath == "/opt/bin:/usr/lib/cni")
    }

    @Test func rejectsAnotherVersion() throws {
        var state = try sampleState()
        state.version = 99
        #expect(throws: LabError.self) { try LabStateStore.decode(LabStateStore.encode(state)) }
        #expect(throws: (any Error).self) { try LabStateStore.decode(Data("{".utf8)) }
    }

    @Test func conflistChainsHedgerowAfterPtp() throws {
        let state = try sampleState()
        let list = NodeConflist.make(node: state.nodes[0], lab: state.naming, layout: state.layout, withAgent: true)
        #expect(list.name == "hl-demo-node1")
        #expect(list.pluginTypes == ["ptp", "hedgerow-cni"])
        #expect(list.plugins[0]["ipam"]?["subnet"] == .string("10.244.1.0/24"))
        #expect(list.plugins[0]["ipam"]?["dataDir"] == .string("/run/hedgerow-lab/demo/cni/ipam"))
        #expect(list.plugins[1]["agentSocket"] == .string("/run/hedgerow-lab/demo/node1/agent.sock"))
        // What is written decodes back to the same list.
        let written = NodeConflist.json(list).serialized()
        #expect(try CNINetworkConfigList(jsonData: written) == list)
        let bare = NodeConflist.make(node: state.nodes[0], lab: state.naming, layout: state.layout, withAgent: false)
        #expect(bare.pluginTypes == ["ptp"])
    }

    @Test func runtimeEnvironmentIsWhatARuntimePasses() throws {
        let state = try sampleState()
        let chain = CNIChain(node: state.nodes[0], options: state.options, enter: EnterCommand(hlab: "/bin/hlab"))
        let runtime = chain.runtimeConfig(state.pods[0])
        let environment = CNIRuntimeEnvironment.variables(command: .add, runtime: runtime, cniPath: chain.cniPath)
        #expect(environment["CNI_ARGS"] == "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a;K8S_POD_INFRA_CONTAINER_ID=hl-demo-x-a")
        #expect(environment["CNI_NETNS"] == "/run/netns/hl-demo-x-a")
        #expect(environment["CNI_IFNAME"] == "eth0")
        #expect(environment["CNI_PATH"] == "/opt/bin:/usr/lib/cni")
        #expect(EnterCommand(hlab: "/bin/hlab").argv(netns: "n", cgroup: "/cg", newSession: true, command: ["x", "-y"])
            == ["/bin/hlab", "_enter", "--netns", "/run/netns/n", "--cgroup", "/cg", "--setsid", "--", "x", "-y"])
    }
}
