import CHedgerowABI
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport

@testable import HedgerowDatapath

/// A loaded endpoint datapath on fresh pinned maps, with one endpoint whose entry points at a
/// real (but idle) veth, so test runs see a valid ifindex. Filters are not attached: only the
/// packets a test hands to BPF_PROG_TEST_RUN reach the programs. `destroy()` removes it all.
struct DatapathFixture: Sendable {
    static let endpointID: UInt32 = 7
    static let identity: UInt32 = 1000
    static let pod = "10.201.0.2"
    static let pod6 = "fd00:201::2"

    let namespace: TestNamespace
    let veth: TestVethPair
    let pinRoot: String
    let datapath: EndpointDatapath
    let endpoint: DatapathEndpoint

    init() throws {
        let namespace = try TestNamespace(prefix: "hdv")
        let veth: TestVethPair
        do { veth = try TestVethPair(into: namespace, subnet: 82) } catch {
            namespace.destroy()
            throw error
        }
        let pinRoot = "/sys/fs/bpf/" + UniqueName.make("hdv")
        do {
            datapath = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
            endpoint = DatapathEndpoint(id: Self.endpointID, interfaceIndex: veth.hostIndex, addresses: [Self.pod, Self.pod6],
                                        identity: Self.identity)
            _ = try datapath.installEntry(endpoint)
        } catch {
            veth.destroy()
            namespace.destroy()
            try? BPFPin.removeTree(pinRoot)
            throw error
        }
        self.namespace = namespace
        self.veth = veth
        self.pinRoot = pinRoot
    }

    func destroy() {
        veth.destroy()
        namespace.destroy()
        try? BPFPin.removeTree(pinRoot)
    }

    enum Hook: Sendable { case fromEndpoint, toEndpoint }

    /// Runs one hook's program on `packet`; returns the tc verdict (0 TC_ACT_OK, 2 TC_ACT_SHOT).
    @discardableResult
    func run(_ hook: Hook, _ packet: TestPacket, repetitions: Int = 1) throws -> UInt32 {
        try run(hook, bytes: packet.bytes, repetitions: repetitions)
    }

    func run(_ hook: Hook, bytes: [UInt8], repetitions: Int = 1) throws -> UInt32 {
        let program = hook == .fromEndpoint ? datapath.fromEndpoint : datapath.toEndpoint
        return try program.testRun(.tc(packet: bytes, ifindex: UInt32(veth.hostIndex), repetitions: repetitions)).returnValue
    }

    func apply(_ policy: EndpointPolicy) throws {
        try datapath.policy.apply(policy, endpointID: endpoint.id, interfaceIndex: endpoint.interfaceIndex)
    }

    /// Runs `body` on a fresh fixture whose ipcache holds `ipcache` and whose endpoint has
    /// `policy`, with a reader of its flow events; removes it all afterwards.
    static func withPolicy(
        _ policy: EndpointPolicy, ipcache: [IPPrefix: SecurityIdentity],
        _ body: (DatapathFixture, EventCollector) async throws -> Void
    ) async throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        let events = EventCollector(try fixture.datapath.flowEvents())
        defer { events.stop() }
        try fixture.datapath.ipcache.apply(ipcache)
        try fixture.apply(policy)
        try await body(fixture, events)
    }

    func drops(_ reason: DropReason, _ direction: TrafficDirection) throws -> UInt64 {
        try datapath.dropCounts().first { $0.reason == reason && $0.direction == direction }?.packets ?? 0
    }
}

let passed: UInt32 = 0  // TC_ACT_OK
let dropped: UInt32 = 2  // TC_ACT_SHOT

func allow(_ direction: TrafficDirection, _ remote: UInt32, _ proto: UInt8, _ port: UInt16 = 0, _ length: UInt8 = 0,
           _ origin: String = "") -> PolicyEntry {
    PolicyEntry(key: .init(direction: direction, remote: SecurityIdentity(rawValue: remote), proto: proto, port: port,
                           portPrefixLength: proto == 0 ? 0 : length),
                action: .allow, origins: origin.isEmpty ? [] : [origin])
}

func deny(_ direction: TrafficDirection, _ remote: UInt32, _ proto: UInt8, _ port: UInt16 = 0, _ length: UInt8 = 0,
          _ origin: String = "") -> PolicyEntry {
    PolicyEntry(key: .init(direction: direction, remote: SecurityIdentity(rawValue: remote), proto: proto, port: port,
                           portPrefixLength: proto == 0 ? 0 : length),
                action: .deny, origins: origin.isEmpty ? [] : [origin])
}
