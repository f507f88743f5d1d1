import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// Which forwarded packets become events at each aggregation level, and that events the ring
/// buffer has no room for are counted.
@Suite("Flow events", .serialized) struct FlowEventTests {
    static let pod = DatapathFixture.pod
    static let peer = "10.201.9.9"

    /// One TCP connection opened from outside: handshake, data, close.
    static func conversation(_ fixture: DatapathFixture, port: UInt16) throws {
        let steps: [(DatapathFixture.Hook, TestPacket)] = [
            (.toEndpoint, .tcp(peer, pod, port, 80, .syn)),
            (.fromEndpoint, .tcp(pod, peer, 80, port, [.syn, .ack])),
            (.toEndpoint, .tcp(peer, pod, port, 80, .ack)),
            (.toEndpoint, .tcp(peer, pod, port, 80, [.ack, .psh])),
            (.fromEndpoint, .tcp(pod, peer, 80, port, .ack)),
            (.toEndpoint, .tcp(peer, pod, port, 80, [.fin, .ack])),
            (.fromEndpoint, .tcp(pod, peer, 80, port, [.fin, .ack])),
            (.toEndpoint, .tcp(peer, pod, port, 80, .ack)),
        ]
        for (hook, packet) in steps { #expect(try fixture.run(hook, packet) == passed) }
    }

    static func reasons(_ events: [FlowEvent]) -> [FlowReportReason] { events.map(\.reportReason) }

    @Test(.enabled(if: Privileged.shouldRun)) func aggregationLevels() async throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        let events = EventCollector(try fixture.datapath.flowEvents())
        defer { events.stop() }

        // Default (medium): new connection, first reply, then the first FIN each way.
        #expect(try fixture.datapath.settings().aggregation == .medium)
        try Self.conversation(fixture, port: 40000)
        var seen = await events.wait(for: 4)
        #expect(Self.reasons(await events.settle()) == [.newConnection, .firstReply, .tcpFlags, .tcpFlags])
        #expect(seen.map(\.isReply) == [false, true, false, true])
        #expect(seen.last?.l4?.tcpFlags == [.fin, .ack])

        // None: every packet.
        events.clear()
        try fixture.datapath.configure(DatapathSettings(aggregation: .none))
        try Self.conversation(fixture, port: 40001)
        seen = await events.wait(for: 8)
        #expect(Self.reasons(await events.settle()) == [.newConnection] + Array(repeating: .packet, count: 7))

        // Max: the new connection and its close.
        events.clear()
        try fixture.datapath.configure(DatapathSettings(aggregation: .maximum))
        try Self.conversation(fixture, port: 40002)
        seen = await events.wait(for: 2)
        #expect(Self.reasons(await events.settle()) == [.newConnection, .close])
        #expect(seen.last?.isReply == true)  // the second FIN closes it
        // An RST closes at once.
        events.clear()
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peer, Self.pod, 40003, 80, .syn)) == passed)
        #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.peer, 80, 40003, .rst)) == passed)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peer, Self.pod, 40003, 80, .ack)) == passed)
        _ = await events.wait(for: 2)
        #expect(Self.reasons(await events.settle()) == [.newConnection, .close])

        // Medium with a tiny interval: active directions are reported again. The programs keep
        // conntrack time at clock-tick resolution, so the packets are a few ticks apart.
        events.clear()
        var periodic = DatapathSettings(aggregation: .medium)
        periodic.reportInterval = .nanoseconds(1)
        try fixture.datapath.configure(periodic)
        for _ in 0..<3 {
            #expect(try fixture.run(.toEndpoint, .udp(Self.peer, Self.pod, 5000, 53)) == passed)
            try await Task.sleep(for: .milliseconds(30))
        }
        _ = await events.wait(for: 3)
        #expect(Self.reasons(await events.settle()) == [.newConnection, .periodic, .periodic])
        #expect(try fixture.datapath.lostEvents() == 0)
    }

    /// With nobody reading, the ring buffer fills; every packet after that is a lost event, so
    /// events read plus events lost equal the packets that should have been reported.
    @Test(.enabled(if: Privileged.shouldRun)) func lostEventsAreCounted() async throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        try fixture.datapath.configure(DatapathSettings(aggregation: .none))
        let packets = 60_000
        #expect(try fixture.run(.toEndpoint, .udp(Self.peer, Self.pod, 5000, 53), repetitions: packets) == passed)
        let lost = try fixture.datapath.lostEvents()
        #expect(lost > 0)
        #expect(try fixture.datapath.lostEventsPerCPU().reduce(0, +) == lost)

        let events = EventCollector(try fixture.datapath.flowEvents())
        defer { events.stop() }
        let read = await events.wait(for: packets - Int(lost), patience: .seconds(20))
        #expect(read.count + Int(lost) == packets)
        #expect(read.allSatisfy { $0.verdict == .forwarded && $0.l4 == .udp(sourcePort: 5000, destinationPort: 53) })
    }
}
