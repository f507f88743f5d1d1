import Foundation
import HedgerowAPI

/// Issue 2's numbers for the lab's own agent (default flags, 3 endpoints, no traffic yet): time
/// from `hagent run` to enforcing, and RSS at four moments. Fresh: 2 s after the endpoints are
/// ready. Settled: after the first code-page check (one --code-trim-interval, 30 s, after
/// readiness), with no API call in between. After a status call: code not run since the trim
/// faults back in. Next check: one interval later.
enum AgentFootprint {
    typealias Memory = (resident: Int, anonymous: Int, fileBacked: Int)

    struct Reading {
        var startupToReadyMilliseconds: Double
        var fresh: Memory
        var settled: Memory
        var afterStatusCall: Memory
        var afterNextCheck: Memory
        var codeTrims: UInt32
    }

    static let interval = Duration.seconds(30)

    static func measure(lab: BenchLab) async throws -> Reading {
        _ = try await lab.endpoints()
        let ready = ContinuousClock.now
        try await Task.sleep(for: .seconds(2))
        let fresh = try lab.agentMemory()
        // The trimmer settles 2 s after a trim; read well after that.
        try await Task.sleep(until: ready + interval + .seconds(5))
        let settled = try lab.agentMemory()
        let status = try await lab.agentStatus()
        try await Task.sleep(for: .seconds(1))
        let afterStatusCall = try lab.agentMemory()
        try await Task.sleep(for: interval + .seconds(3))
        return Reading(
            startupToReadyMilliseconds: Double(status.startupToReadyNs) / 1e6, fresh: fresh, settled: settled,
            afterStatusCall: afterStatusCall, afterNextCheck: try lab.agentMemory(), codeTrims: try await lab.agentStatus().codeTrims)
    }
}
