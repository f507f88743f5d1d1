import Foundation
import HedgerowTestSupport
import Testing

/// The Kubernetes NetworkPolicy e2e suite (test/e2e/network/netpol), replayed as data against a
/// real lab: one lab for all cases, reset between cases, every cell of every step compared.
@Suite(.serialized) struct ConformanceTests {
    static let casesDirectory = TestPaths.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/Conformance/cases")

    @Test func casesAreWellFormed() throws {
        let cases = try ConformanceCase.loadAll(directory: Self.casesDirectory)
        #expect(cases.count >= 40)
        #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func upstreamNetworkPolicyCases() throws {
        try Privileged.require()
        let only = ProcessInfo.processInfo.environment["CONFORMANCE_ONLY"]  // a substring of case names
        let cases = try ConformanceCase.loadAll(directory: Self.casesDirectory).filter { only == nil || $0.name.contains(only!) }
        let started = ContinuousClock.now
        let lab = try ConformanceLab()
        defer { lab.close() }

        // Servers are up once every pod reaches every other pod on every port.
        let everything = Reachability(defaultAllowed: true)
        try LabHarness.eventually(timeout: .seconds(20), "echo servers in all 9 pods") {
            try mismatches(everything, in: lab, ports: Self.allPorts).isEmpty ? true : nil
        }

        var passed = 0
        var retried: [String] = []
        for testCase in cases {
            var failure: String?
            do {
                failure = try run(testCase, in: lab, retried: &retried)
            } catch {
                failure = "error: \(error)"
            }
            let restoredLabels = try lab.reset()
            if restoredLabels {
                // Wait until the agent has the original labels again before the next case.
                try LabHarness.eventually(timeout: .seconds(10), "labels restored after \(testCase.name)") {
                    try mismatches(everything, in: lab, ports: [(80, "tcp")]).isEmpty ? true : nil
                }
            }
            if let failure {
                Issue.record("\(testCase.file): \"\(testCase.name)\"\n\(failure)")
            } else {
                passed += 1
            }
        }
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print("conformance: \(passed)/\(cases.count) cases passed in \(String(format: "%.1f", seconds)) s"
              + "; \(ProbeStatistics.shared.summary)"
              + (retried.isEmpty ? "" : "; steps that needed more than one probe round: \(retried.joined(separator: "; "))"))
        #expect(passed == cases.count)
    }

    static let allPorts: [(port: UInt16, proto: String)] = [(80, "tcp"), (81, "tcp"), (80, "udp"), (81, "udp"), (80, "sctp"), (81, "sctp")]

    /// Runs the steps of one case; returns the failure report, or nil when every cell agreed.
    private func run(_ testCase: ConformanceCase, in lab: ConformanceLab, retried: inout [String]) throws -> String? {
        for (index, step) in testCase.steps.enumerated() {
            for (pod, labels) in step.podLabels { try lab.setPodLabels(pod, labels) }
            for (namespace, labels) in step.namespaceLabels { try lab.setNamespaceLabels(namespace, labels) }
            try lab.delete(step.delete)
            try lab.apply(step.apply)

            // hpolicy returns once policies are enforced; label edits reach the agent on its next
            // manifest poll, so those steps may take a few rounds.
            let rounds = step.changesLabels ? 20 : 3
            var report = ""
            for round in 1...rounds {
                report = try stepReport(step, in: lab)
                if report.isEmpty {
                    if round > 1 { retried.append("\(testCase.name) step \(index + 1): \(round) rounds") }
                    break
                }
                usleep(250_000)
            }
            if !report.isEmpty { return "step \(index + 1) of \(testCase.steps.count):\n\(report)" }
        }
        return nil
    }

    private func stepReport(_ step: ConformanceCase.Step, in lab: ConformanceLab) throws -> String {
        let probeStarted = ContinuousClock.now
        let observed = try lab.probe(step.expectations.map { ($0.port, $0.proto) })
        ProbeStatistics.shared.record(ContinuousClock.now - probeStarted)
        return step.expectations.compactMap { expectation -> String? in
            let cells = observed["\(expectation.port)/\(expectation.proto)"] ?? [:]
            let agrees = PodName.all.allSatisfy { from in
                PodName.all.allSatisfy { MatrixDiff.agrees(expected: expectation.reachability[from, $0], cells[from]?[$0]) }
            }
            return agrees ? nil : "probe \(expectation.label):\n" + MatrixDiff.render(expected: expectation.reachability, observed: cells)
        }.joined(separator: "\n\n")
    }

    private func mismatches(_ expected: Reachability, in lab: ConformanceLab, ports: [(port: UInt16, proto: String)]) throws -> [String] {
        let observed = try lab.probe(ports)
        return ports.flatMap { port in
            PodName.all.flatMap { from in
                PodName.all.compactMap { to in
                    MatrixDiff.agrees(expected: expected[from, to], observed["\(port.port)/\(port.proto)"]?[from]?[to])
                        ? nil : "\(from) -> \(to) \(port.port)/\(port.proto)"
                }
            }
        }
    }
}

/// How long whole-matrix probe rounds take (9 source pods in parallel), for the summary line.
final class ProbeStatistics: @unchecked Sendable {
    static let shared = ProbeStatistics()
    private let lock = NSLock()
    private var rounds: [Duration] = []

    func record(_ duration: Duration) { lock.withLock { rounds.append(duration) } }

    var summary: String {
        lock.withLock {
            let milliseconds = rounds.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
            guard !milliseconds.isEmpty else { return "no probe rounds" }
            let mean = milliseconds.reduce(0, +) / Double(milliseconds.count)
            return String(format: "%d matrix probe rounds, mean %.0f ms, max %.0f ms", milliseconds.count, mean, milliseconds.last!)
        }
    }
}
