import Foundation

/// The resident memory of a real `hagent` process (issue 4 target: < 60 MB with a full
/// 65,535-flow ring): a fresh agent on the lab's node started with --flow-capacity 65535,
/// measured idle (endpoints adopted, no flows), then after 70,000 new connections through its
/// own endpoint program filled the ring with enriched flows.
enum AgentMemory {
    struct Reading {
        var idleBytes: Int
        var fullBytes: Int
        /// RssAnon: the agent's private heap, without the shared binary/library pages.
        var idleAnonymousBytes: Int
        var fullAnonymousBytes: Int
        var flowsHeld: UInt64
    }

    static let capacity = 65_535

    static func measure(lab: inout BenchLab) async throws -> Reading {
        try await lab.restartAgent(["--flow-capacity", String(capacity)])
        defer { lab.stopOwnAgent() }
        try await Task.sleep(for: .seconds(2))
        let idle = try lab.agentMemory()

        let endpoints = try await lab.endpoints()
        guard let server = endpoints["x/b"], let address = server.ips.first else { throw BenchFailure("lab has no x/b endpoint") }
        let destination = address.split(separator: ".").compactMap { UInt8($0) }
        let program = try await AttachedEndpointProgram(netns: lab.nodeNetns, interfaceIndex: server.interfaceIndex)
        // In chunks, so the agent reads along instead of the ring buffer overflowing.
        for chunk in 0..<70 {
            try await program.openConnections(1000, first: chunk * 1000, to: destination)
            try await Task.sleep(for: .milliseconds(20))
        }
        var held: UInt64 = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            held = try await lab.observerStatus().numFlows
            if held >= UInt64(capacity) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        try await Task.sleep(for: .seconds(2))
        let full = try lab.agentMemory()
        return Reading(idleBytes: idle.resident, fullBytes: full.resident, idleAnonymousBytes: idle.anonymous,
                       fullAnonymousBytes: full.anonymous, flowsHeld: held)
    }
}
