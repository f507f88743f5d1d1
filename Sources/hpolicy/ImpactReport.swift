import ArgumentParser
import Foundation
import HedgerowAPI
import HedgerowCLI

/// Prints a dry run's impact preview: the observed connections whose verdict would change.
/// Exit code 3 when any of them would become denied (a caller's script can gate on it).
enum ImpactReport {
    enum Output: String, ExpressibleByArgument, CaseIterable { case table, json }

    static func print(_ response: Hedgerow_Agent_V1_PolicyChangeResponse, output: Output) throws {
        switch output {
        case .table: Swift.print(table(response))
        case .json: Swift.print(try json(response))
        }
        for problem in response.untraceable { printError("warning: not evaluated: \(problem)") }
        if response.impact.contains(where: { $0.newVerdict == "DENIED" }) { throw ExitCode(3) }
    }

    static func table(_ response: Hedgerow_Agent_V1_PolicyChangeResponse) -> String {
        let summary = "\(response.impact.count) of \(response.observedConnections) observed connection(s) would change"
        guard !response.impact.isEmpty else { return summary }
        let rows = response.impact.map { change in
            [
                change.source, change.destination, port(change), change.oldVerdict, change.newVerdict,
                "\(change.flows)", time(change.lastSeenUnixNanos), change.decidedBy.joined(separator: ", "),
            ]
        }
        return Format.table(
            header: ["SOURCE", "DESTINATION", "PORT", "NOW", "AFTER", "FLOWS", "LAST SEEN", "DECIDED BY"], rows: rows)
            + "\n" + summary
    }

    /// One object per change, keys as in the proto (snake case), for scripts and tests.
    static func json(_ response: Hedgerow_Agent_V1_PolicyChangeResponse) throws -> String {
        let objects: [[String: Any]] = response.impact.map { change in
            [
                "source": change.source, "destination": change.destination, "port": Int(change.port),
                "protocol": change.protocol, "old_verdict": change.oldVerdict, "new_verdict": change.newVerdict,
                "flows": Int(change.flows), "last_seen": time(change.lastSeenUnixNanos), "decided_by": change.decidedBy,
            ]
        }
        let document: [String: Any] = [
            "observed_connections": Int(response.observedConnections), "impact": objects,
            "untraceable": response.untraceable,
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// "80/TCP", or the protocol alone when it has no ports.
    static func port(_ change: Hedgerow_Agent_V1_VerdictChange) -> String {
        change.port == 0 ? change.protocol : "\(change.port)/\(change.protocol)"
    }

    /// RFC 3339 in UTC, whole seconds: "2026-11-27T08:51:29Z".
    static func time(_ nanoseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(nanoseconds) / 1e9))
    }
}
