import Foundation
import HedgerowAPI
import HedgerowTestSupport
import Testing

/// Issue 4's overload proof: 200,000 packets/s of new connections for 10 s through a running
/// agent's endpoint program (a lab agent, default aggregation `medium`: one event per new
/// connection). The agent must keep answering, account for every event (flows seen + events
/// reported lost = events produced), and not grow while it does.
///
/// The rate is what the generator aims for; the rate it achieved on this machine is printed
/// (and noted in the report), never asserted.
@Suite(.serialized) struct FlowOverloadTests {
    static let rate = 200_000
    static let duration = Duration.seconds(10)
    /// Allowed growth of the agent's RSS from the first half of the load to the second. The
    /// flow ring (4,095 flows) is full within the first 25 ms and every buffer reaches its
    /// working size in the first half; what may still move is allocator slack (glibc arenas per
    /// thread, NIO's pooled buffers), a few MB. The second half carries ~1 million events, so
    /// a leak of just 16 bytes per event would already exceed this bound.
    static let allowedGrowth: UInt64 = 16 << 20

    struct Sample { var elapsed: Duration; var residentBytes: UInt64 }

    @Test(.enabled(if: Privileged.shouldRun))
    func newConnectionFloodIsAccountedForAndAgentStaysResponsive() async throws {
        try Privileged.require()
        let lab = try FlowLab(prefix: "hovl")
        defer { lab.down() }
        let server = try await lab.endpoint("x/b")
        let destination = try #require(server.ips.first.flatMap(IPv4Bytes.parse), "x/b has no IPv4 address")
        let injector = try await EndpointPacketInjector(netns: lab.nodeNetns, interfaceIndex: server.interfaceIndex)

        // Whatever the lab produced by itself so far, once it has settled (lost counts are
        // reported once a second).
        let baseline = try await Self.settledCount(lab)

        let started = ContinuousClock.now
        async let load = injector.openConnections(rate: Self.rate, duration: Self.duration, to: destination)
        // While the flood runs: ServerStatus (Observer API) and Status (Agent API) keep
        // answering, and the agent's memory is sampled.
        var answered = 0
        var failures: [String] = []
        var samples: [Sample] = []
        while ContinuousClock.now - started < Self.duration {
            do {
                _ = try await lab.observerStatus(timeout: .seconds(10))
                _ = try await withAgent(socketPath: lab.agentSocket) { try await $0.status(Hedgerow_Agent_V1_StatusRequest()) }
                answered += 1
            } catch {
                failures.append("\(error)")
            }
            samples.append(Sample(elapsed: ContinuousClock.now - started, residentBytes: try lab.agentResidentBytes()))
            try await Task.sleep(for: .milliseconds(200))
        }
        let result = try await load
        let final = try await Self.settledCount(lab)
        let produced = UInt64(result.packets)
        let status = try await lab.observerStatus()

        let half = Self.duration / 2
        let firstHalf = samples.filter { $0.elapsed < half }.map(\.residentBytes).max() ?? 0
        let secondHalf = samples.filter { $0.elapsed >= half }.map(\.residentBytes).max() ?? 0
        print("""
            flow overload: \(result.packets) new connections in \(result.elapsed) = \(Int(result.packetsPerSecond)) packets/s \
            (target \(Self.rate)); verdicts \(result.verdicts); flows \(status.seenFlows), lost \(status.hedgerowDatapathLostEvents) \
            (baseline \(baseline)); \(answered) status rounds answered; agent RSS max \(firstHalf >> 20) MiB first half, \
            \(secondHalf >> 20) MiB second half
            """)

        #expect(failures.isEmpty, "status calls failed during the load: \(failures.prefix(3))")
        #expect(answered > 0)
        #expect(result.verdicts[0] == result.packets, "every SYN is forwarded (no policy): \(result.verdicts)")
        // One event per new connection at `medium`; each became a flow or a counted lost event.
        #expect(final - baseline == produced, "flows + lost events \(final) - baseline \(baseline) != \(produced) events produced")
        #expect(secondHalf <= firstHalf + Self.allowedGrowth, "RSS grew from \(firstHalf) to \(secondHalf) bytes")
    }

    /// Flows + lost events once two readings 1.5 s apart agree (the agent drained its ring
    /// buffer and reported the lost counters), within 60 s.
    static func settledCount(_ lab: FlowLab) async throws -> UInt64 {
        var previous = try await lab.observerStatus().flowsAndLostEvents
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1500))
            let now = try await lab.observerStatus().flowsAndLostEvents
            if now == previous { return now }
            previous = now
        }
        throw TestEnvironmentError("flow counts still moving after 60 s (last \(previous))")
    }
}

/// "10.244.1.5" -> [10, 244, 1, 5].
enum IPv4Bytes {
    static func parse(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".").compactMap { UInt8($0) }
        return parts.count == 4 ? parts : nil
    }
}
