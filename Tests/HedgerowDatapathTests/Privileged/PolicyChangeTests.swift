import Foundation
import HedgerowCore
import HedgerowTestSupport
import Synchronization
import Testing

@testable import HedgerowDatapath

/// "No leak under change": while packets keep arriving, 50 policy changes in a row never let a
/// packet through that both policies deny, never drop a packet of an established connection
/// both allow, and never drop a new connection both allow (each packet sees one whole policy).
@Suite("Policy changes under traffic", .serialized) struct PolicyChangeTests {
    static let pod = DatapathFixture.pod
    static let identityA: UInt32 = 2001

    /// Enforced, with allows by identity and by port range, and an explicit deny for 8001.
    static let first = EndpointPolicy(ingressEnforced: true, entries: [
        allow(.ingress, identityA, 6, 80, 16, "A web"),
        allow(.ingress, 0, 6, 8000, 13, "any 8000-8007"),
        deny(.ingress, identityA, 6, 8001, 16, "A not 8001"),
        allow(.ingress, identityA, 17, 53, 16, "A dns"),
    ].sorted())
    /// Not enforced; 8001 denied for everyone, 9000 for A.
    static let second = EndpointPolicy(ingressEnforced: false, entries: [
        deny(.ingress, 0, 6, 8001, 16, "nobody 8001"),
        deny(.ingress, identityA, 6, 9000, 16, "A not 9000"),
    ].sorted())

    final class Probes: Sendable {
        let stop = Atomic(false)
        let started = Atomic(false)
        let deniedProbes = Atomic(0)
        let deniedLeaks = Atomic(0)
        let establishedProbes = Atomic(0)
        let establishedDrops = Atomic(0)
        let allowedProbes = Atomic(0)
        let allowedDrops = Atomic(0)
        let failures = Mutex<[String]>([])
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(3))) func fiftyChangesUnderTraffic() async throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        try fixture.datapath.ipcache.apply([IPPrefix("10.201.1.0/24")!: SecurityIdentity(rawValue: Self.identityA)])
        try fixture.apply(Self.first)
        // An established connection both policies allow.
        #expect(try fixture.run(.toEndpoint, .tcp("10.201.1.1", Self.pod, 50000, 80)) == passed)
        #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, "10.201.1.1", 80, 50000, [.syn, .ack])) == passed)

        let probes = Probes()
        let prober = Thread { Self.probe(fixture, probes) }
        prober.start()
        while !probes.started.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }

        var barriers = 0
        for change in 0..<50 {
            let report = try fixture.datapath.policy.apply(change.isMultiple(of: 2) ? Self.second : Self.first,
                                                           endpointID: DatapathFixture.endpointID,
                                                           interfaceIndex: fixture.endpoint.interfaceIndex)
            if report.waitedForBarrier { barriers += 1 }
            #expect(report.changedAnything)
        }
        probes.stop.store(true, ordering: .releasing)
        while !prober.isFinished { try await Task.sleep(for: .milliseconds(1)) }

        #expect(probes.failures.withLock { $0 }.isEmpty)
        #expect(probes.deniedProbes.load(ordering: .relaxed) > 50)
        #expect(probes.deniedLeaks.load(ordering: .relaxed) == 0)
        #expect(probes.establishedProbes.load(ordering: .relaxed) > 50)
        #expect(probes.establishedDrops.load(ordering: .relaxed) == 0)
        #expect(probes.allowedProbes.load(ordering: .relaxed) > 50)
        #expect(probes.allowedDrops.load(ordering: .relaxed) == 0)
        print("""
            policy changes: 50 (\(barriers) waited for a barrier); probes during them: \
            denied port \(probes.deniedProbes.load(ordering: .relaxed)) (leaked \(probes.deniedLeaks.load(ordering: .relaxed))), \
            established \(probes.establishedProbes.load(ordering: .relaxed)) (dropped \(probes.establishedDrops.load(ordering: .relaxed))), \
            new allowed-by-both \(probes.allowedProbes.load(ordering: .relaxed)) (dropped \(probes.allowedDrops.load(ordering: .relaxed)))
            drops: \(try fixture.datapath.dropCounts().map { "\($0.reason.rawValue)/\($0.direction): \($0.packets)" })
            """)
    }

    /// New connections to 8001 (denied by both), packets of the established connection, and new
    /// connections to 8002 (allowed by both), each from a fresh source so conntrack never helps.
    static func probe(_ fixture: DatapathFixture, _ probes: Probes) {
        var sequence = 0
        probes.started.store(true, ordering: .releasing)
        while !probes.stop.load(ordering: .acquiring) {
            sequence += 1
            let source = "10.201.1.\(2 + sequence / 60_000 % 250)"
            let port = UInt16(1024 + sequence % 60_000)
            do {
                if try fixture.run(.toEndpoint, .tcp(source, pod, port, 8001)) != dropped {
                    probes.deniedLeaks.add(1, ordering: .relaxed)
                }
                probes.deniedProbes.add(1, ordering: .relaxed)
                if try fixture.run(.toEndpoint, .tcp("10.201.1.1", pod, 50000, 80, .ack)) != passed {
                    probes.establishedDrops.add(1, ordering: .relaxed)
                }
                probes.establishedProbes.add(1, ordering: .relaxed)
                if try fixture.run(.toEndpoint, .tcp(source, pod, port, 8002)) != passed {
                    probes.allowedDrops.add(1, ordering: .relaxed)
                }
                probes.allowedProbes.add(1, ordering: .relaxed)
            } catch {
                probes.failures.withLock { $0.append("\(error)") }
                return
            }
        }
    }
}
