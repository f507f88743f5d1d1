import Foundation
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// Node-level load balancing with real packets: an outside client reaches NodePort services
/// through the node's uplink; backends run on the node and on another node.
@Suite("Uplink (NodePort) service translation", .serialized) struct UplinkLBTests {
    typealias F = UplinkFixture

    /// The fixture with NodePort 30080 (a local and a remote backend) and a reader of the flow
    /// events of its one (pinned) ring buffer, read through the endpoint datapath as the agent does.
    static func nodePort30080WithEvents() throws -> (F, EventCollector) {
        try Privileged.require()
        let fixture = try F()
        do {
            try fixture.apply([F.nodePort(30080, id: 1, backends: [F.local, F.remoteOne])])
            let endpoints = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: fixture.pinRoot)
            return (fixture, EventCollector(try endpoints.flowEvents()))
        } catch {
            fixture.destroy()
            throw error
        }
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func tcpNodePortReachesLocalAndRemoteBackends() async throws {
        let (fixture, events) = try Self.nodePort30080WithEvents()
        defer { events.stop(); fixture.destroy() }

        // Distinct source ports: a port the kernel picks twice reuses a closing connection's tuple,
        // which aReusedClientPortOpensANewConnection covers.
        let attempts = try fixture.connect("tcp", port: 30080, count: 40, sourcePortBase: 45000)
        #expect(attempts.count == 40 && attempts.allSatisfy { $0.errno == nil }, "failures: \(attempts.filter { $0.errno != nil })")
        #expect(Set(attempts.compactMap(\.backend)) == ["local", "remote"])
        // The answer comes from the address and port the client named.
        #expect(Set(attempts.compactMap(\.peer)) == ["\(F.nodeAddress) 30080"])
        // The local backend sees the client; the remote one sees the node (SNAT).
        #expect(Set(attempts.filter { $0.backend == "local" }.compactMap(\.seen)) == [F.clientAddress])
        #expect(Set(attempts.filter { $0.backend == "remote" }.compactMap(\.seen)) == [F.nodeAddress])

        let entries = try fixture.uplink.natEntries()
        let snat = entries.filter { $0.isSourceNAT && !$0.isReply }
        #expect(!snat.isEmpty && snat.allSatisfy { (61000...65535).contains($0.rewritten.sourcePort) && $0.serviceID == 1 })
        #expect(entries.contains { $0.hook == .uplinkEgress && $0.isReply && $0.rewritten.sourcePort == 30080 })

        // Each new connection is reported from the network, translated on the uplink.
        let flows = await events.wait(for: 40, where: { $0.observationPoint == .fromNetwork })
        #expect(flows.count == 40)
        #expect(flows.allSatisfy {
            $0.translation == .init(originalDestination: IPAddress(F.nodeAddress)!, originalPort: 30080, reverseNATID: 1, point: .uplink)
                && $0.ip.source == IPAddress(F.clientAddress) && $0.verdict == .forwarded
        })
        #expect(Set(flows.map(\.ip.destination)) == [IPAddress(F.localBackend)!, IPAddress(F.remoteBackend)!])
    }

    /// A client that reuses its source port while the previous connection's entry is closing
    /// gets a new connection: translated again and reported again, not folded into the old one.
    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func aReusedClientPortOpensANewConnection() async throws {
        let (fixture, events) = try Self.nodePort30080WithEvents()
        defer { events.stop(); fixture.destroy() }

        let port = 46000
        let first = try fixture.connect("tcp", port: 30080, count: 1, sourcePortBase: port)
        let second = try fixture.connect("tcp", port: 30080, count: 1, sourcePortBase: port)
        #expect((first + second).map(\.sport) == [port, port])
        #expect((first + second).allSatisfy { $0.errno == nil && $0.backend != nil }, "\(first + second)")
        // Without the reopen the second connection makes no flow at all. It can make two: when
        // the backend still holds the old connection in TIME_WAIT, the client's first SYN may be
        // answered by an ACK, the client resets, and its retransmitted SYN opens again.
        let flows = await events.wait(for: 2, where: { $0.observationPoint == .fromNetwork && $0.l4?.sourcePort == UInt16(port) })
        #expect(flows.count >= 2)
        #expect(flows.allSatisfy { $0.translation?.reverseNATID == 1 && $0.verdict == .forwarded })
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func udpNodePortRepliesFromTheNodePort() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        try fixture.apply([F.nodePort(30053, .udp, id: 2, backends: [F.local, F.remoteOne])])

        let attempts = try fixture.connect("udp", port: 30053, count: 30)
        #expect(attempts.count == 30 && attempts.allSatisfy { $0.errno == nil }, "failures: \(attempts.filter { $0.errno != nil })")
        #expect(Set(attempts.compactMap(\.backend)) == ["local", "remote"])
        // recvfrom() names the sender: the node port, never a backend.
        #expect(Set(attempts.compactMap(\.peer)) == ["\(F.nodeAddress) 30053"])
        #expect(Set(attempts.filter { $0.backend == "remote" }.compactMap(\.seen)) == [F.nodeAddress])
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func maglevChoiceEqualsThePureTable() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        let frontend = F.nodePort(30080, id: 3, backends: [F.local, F.remoteOne])
        try fixture.apply([frontend])

        let base = 42000
        let attempts = try fixture.connect("tcp", port: 30080, count: 24, sourcePortBase: base)
        #expect(attempts.count == 24 && attempts.allSatisfy { $0.errno == nil })
        let table = frontend.maglevTable()
        let names = [F.local.address.description: "local", F.remoteOne.address.description: "remote"]
        for attempt in attempts {
            let index = MaglevFlowHash.backendIndex(
                in: table, source: IPAddress(F.clientAddress)!, destination: IPAddress(F.nodeAddress)!,
                sourcePort: UInt16(attempt.sport), destinationPort: 30080, protocol: 6)
            let expected = index.map { names[table.backendNames[$0]] } ?? nil
            #expect(attempt.backend == expected, "source port \(attempt.sport)")
        }
        // Both backends are among the choices, so the comparison is not trivially one-sided.
        #expect(Set(attempts.compactMap(\.backend)).count == 2)
        // The kernel's table is the pure one, entry for entry.
        let kernel = try fixture.services.sync.maglevTable(serviceID: 3)
        let ids = fixture.services.sync.image.backendIDs
        let pure = table.entries.map { ids[BackendKey(address: frontend.backends[Int($0)].address, protocol: .tcp)] }
        #expect(kernel == pure.compactMap { $0 } && kernel?.count == MaglevConfiguration.defaultTableSize)
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func externalTrafficPolicyLocalUsesOnlyLocalBackends() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        // What the model yields for this node under Local: its own backends only.
        try fixture.apply([
            F.nodePort(30081, id: 4, backends: [F.local], policy: .local),
            F.nodePort(30082, .udp, id: 5, backends: [], policy: .local),
        ])

        let attempts = try fixture.connect("tcp", port: 30081, count: 20)
        #expect(attempts.count == 20 && attempts.allSatisfy { $0.backend == "local" && $0.seen == F.clientAddress })

        // No local backend: dropped and counted, never sent to another node.
        let before = try fixture.drops(.serviceBackendNotFound)
        let refused = try fixture.connect("udp", port: 30082, count: 2)
        #expect(refused.allSatisfy { $0.backend == nil })
        #expect(try fixture.drops(.serviceBackendNotFound) >= before + 2)
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func externalIPAnswersFromItselfAndNeedsAnSNATAddress() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        let external = "10.99.0.50"
        try fixture.client.run("ip", "route", "add", "10.99.0.0/24", "via", F.nodeAddress)
        try fixture.apply([ServiceFrontend(
            key: FrontendKey(address: .ip(IPAddress(external)!), port: 80, protocol: .tcp), kind: .externalIP,
            service: NamespacedName(namespace: "default", name: "ext"), id: ServiceID(rawValue: 7),
            backends: [F.local, F.remoteOne])])

        // Without an SNAT address, connections that Maglev sends to the other node are dropped
        // (an external IP is no node address to borrow); those to the local backend work.
        let before = try fixture.drops(DropReason(rawValue: 167))
        let unconfigured = try fixture.connect("tcp", port: 80, host: external, count: 12)
        #expect(unconfigured.allSatisfy { $0.backend == nil || $0.backend == "local" })
        #expect(unconfigured.contains { $0.backend == nil } && unconfigured.contains { $0.backend == "local" })
        #expect(try fixture.drops(DropReason(rawValue: 167)) > before)

        try fixture.uplink.setNodeAddresses([IPAddress(F.nodeAddress)!], snatIPv4: IPAddress(F.nodeAddress)!)
        let attempts = try fixture.connect("tcp", port: 80, host: external, count: 30)
        #expect(attempts.allSatisfy { $0.errno == nil } && Set(attempts.compactMap(\.backend)) == ["local", "remote"])
        #expect(Set(attempts.compactMap(\.peer)) == ["\(external) 80"])
        #expect(Set(attempts.filter { $0.backend == "remote" }.compactMap(\.seen)) == [F.nodeAddress])
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func restartedAgentAdoptsTheUplinkFilters() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        try fixture.apply([F.nodePort(30080, id: 6, backends: [F.local])])

        let restarted = try UplinkDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: fixture.pinRoot)
        #expect(try restarted.nodeAddressList() == [IPAddress(F.nodeAddress)!])
        let index = fixture.uplinkIndex
        #expect(try inNetworkNamespace(fixture.node) { try restarted.attach(interfaceIndex: index) } == .adopted)
        #expect(try fixture.connect("tcp", port: 30080, count: 3).map(\.backend) == ["local", "local", "local"])

        #expect(try inNetworkNamespace(fixture.node) { try restarted.detach(interfaceIndex: index) })
        // Without the programs nothing answers on the node port.
        #expect(try fixture.connect("tcp", port: 30080, count: 1).first?.backend == nil)
    }
}
