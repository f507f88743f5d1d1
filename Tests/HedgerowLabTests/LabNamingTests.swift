import Testing

@testable import HedgerowLab

@Suite("Lab naming")
struct LabNamingTests {
    let naming = LabNaming(lab: "basic")

    @Test func shortNamesAreKeptAsTheyAre() {
        #expect(naming.nodeNetns("node1") == "hl-basic-node1")
        #expect(naming.podNetns(namespace: "x", pod: "a") == "hl-basic-x-a")
        #expect(naming.labCgroup == "/sys/fs/cgroup/unified/hedgerow-lab-basic")
        #expect(naming.podCgroup(node: "node1", namespace: "x", pod: "a") == "/sys/fs/cgroup/unified/hedgerow-lab-basic/node1/x-a")
        #expect(naming.pinDirectory(node: "node1") == "/sys/fs/bpf/hedgerow/basic-node1")
    }

    @Test func longNamesAreShortenedKeepingTheLabPrefix() {
        let namespace = String(repeating: "n", count: 40)
        let pod = String(repeating: "p", count: 40)
        let name = naming.podNetns(namespace: namespace, pod: pod)
        #expect(name.count == LabNaming.maxNetnsNameLength)
        #expect(name.hasPrefix("hl-basic-nnnn"))
        // Deterministic, and different inputs with the same beginning stay apart.
        #expect(name == naming.podNetns(namespace: namespace, pod: pod))
        #expect(name != naming.podNetns(namespace: namespace, pod: pod + "q"))
        let hash = name.split(separator: "-").last!
        #expect(hash.count == 8 && hash.allSatisfy(\.isHexDigit))
    }

    @Test func shorteningNeverLeavesADoubleDash() {
        // The cut lands right after a '-' of the original name.
        let prefix = "hl-basic-"
        let keep = LabNaming.maxNetnsNameLength - prefix.count - 9
        let rest = String(repeating: "a", count: keep - 1) + "-" + String(repeating: "b", count: 30)
        let name = LabNaming.shorten(prefix, rest)
        #expect(!name.contains("--"))
        #expect(name.count <= LabNaming.maxNetnsNameLength)
    }

    @Test func stableHash() {
        // FNV-1a test vectors: the hash must never depend on the process (names outlive it).
        #expect(LabNaming.fnv1a("") == 0x811c_9dc5)
        #expect(LabNaming.fnv1a("a") == 0xe40c_292c)
        #expect(LabNaming.fnv1a("foobar") == 0xbf9c_f968)
    }

    @Test func nameRules() {
        #expect(NameRules.labNameProblem("basic-2") == nil)
        #expect(NameRules.labNameProblem("basic_2") != nil)
        #expect(NameRules.labNameProblem("") != nil)
        #expect(NameRules.labNameProblem("basic-") != nil)
        #expect(NameRules.labelKeyProblem("app.kubernetes.io/name") == nil)
        #expect(NameRules.labelKeyProblem("/name") != nil)
        #expect(NameRules.labelKeyProblem("Team") == nil)
        #expect(NameRules.labelValueProblem("") == nil)
        #expect(NameRules.labelValueProblem("a b") != nil)
        #expect(NameRules.portNameProblem("http") == nil)
        #expect(NameRules.portNameProblem("8080") != nil)
        #expect(NameRules.portNameProblem("a-very-long-port-name") != nil)
    }

    @Test func stateLayout() {
        let layout = LabLayout(lab: "basic")
        #expect(layout.stateFile == "/run/hedgerow-lab/basic/state.json")
        #expect(layout.agentSocket(node: "node1") == "/run/hedgerow-lab/basic/node1/agent.sock")
        #expect(layout.agentLog(node: "node1") == "/run/hedgerow-lab/basic/logs/node1-agent.log")
        #expect(layout.ipamDataDir == "/run/hedgerow-lab/basic/cni/ipam")
        #expect(layout.podManifest(namespace: "x", pod: "a") == "/run/hedgerow-lab/basic/manifests/pod-x-a.yaml")
    }
}
