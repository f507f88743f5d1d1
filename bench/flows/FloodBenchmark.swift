import Foundation
import HedgerowAPI

/// Issue 4's overload scenario against a release agent (the test FlowOverloadTests asserts the
/// accounting; this records the numbers): new connections at up to 200,000/s for 10 s through
/// the agent's endpoint program, the rate the generator achieved, how many events became
/// flows and how many were reported lost, and the agent's RSS before and after.
enum FloodBenchmark {
    struct Reading {
        var packets: Int
        var packetsPerSecond: Double
        var flows: UInt64
        var lost: UInt64
        var rssBeforeBytes: Int
        var rssAfterBytes: Int
    }

    static func measure(lab: BenchLab, rate: Int = 200_000, duration: Duration = .seconds(10)) async throws -> Reading {
        let endpoints = try await lab.endpoints()
        guard let server = endpoints["x/b"], let address = server.ips.first else { throw BenchFailure("lab has no x/b endpoint") }
        let program = try await AttachedEndpointProgram(netns: lab.nodeNetns, interfaceIndex: server.interfaceIndex)
        let before = try await settled(lab)
        let rssBefore = try lab.agentResidentBytes()
        let (packets, elapsed) = try await program.flood(
            rate: rate, duration: duration, first: 1_000_000, to: address.split(separator: ".").compactMap { UInt8($0) })
        let after = try await settled(lab)
        return Reading(
            packets: packets, packetsPerSecond: Double(packets) / (milliseconds(elapsed) / 1000),
            flows: after.seenFlows - before.seenFlows, lost: after.hedgerowDatapathLostEvents - before.hedgerowDatapathLostEvents,
            rssBeforeBytes: rssBefore, rssAfterBytes: try lab.agentResidentBytes())
    }

    /// ServerStatus once flows + lost events stop moving (lost counts are reported each second).
    static func settled(_ lab: BenchLab) async throws -> Observer_ServerStatusResponse {
        var previous = try await lab.observerStatus()
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(1500))
            let now = try await lab.observerStatus()
            if now.seenFlows == previous.seenFlows && now.hedgerowDatapathLostEvents == previous.hedgerowDatapathLostEvents { return now }
            previous = now
        }
        return previous
    }
}
