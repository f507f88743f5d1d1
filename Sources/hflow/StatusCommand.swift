import ArgumentParser
import Foundation
import HedgerowAPI

/// `hflow status`: what the observer holds and has seen, as `hubble status` reports it, plus
/// Hedgerow's lost-event counters.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the flow observer's status: flows held, seen, capacity, uptime, lost events.")

    @OptionGroup(title: "Server") var server: ServerOptions

    func run() async throws {
        let target = try server.target()
        let tls = try server.tlsOptions()
        let status: Observer_ServerStatusResponse
        do {
            status = try await server.deadline(for: target, stream: false).run { _ in
                try await withObserver(target, tls: tls) { client in try await client.serverStatus(Observer_ServerStatusRequest()) }
            }
        } catch let error as NoAnswer {
            throw ServerError(error.description)
        }
        Swift.print(Self.report(status, target: target), terminator: "")
    }

    static func report(_ status: Observer_ServerStatusResponse, target: ObserverTarget) -> String {
        let percent = status.maxFlows == 0 ? 0 : Double(status.numFlows) / Double(status.maxFlows) * 100
        var lines = [
            "Healthcheck (via \(target)): Ok",
            "Current/Max Flows: \(grouped(status.numFlows))/\(grouped(status.maxFlows)) (\(String(format: "%.2f", percent))%)",
            "Flows/s: \(String(format: "%.2f", status.flowsRate))",
            "Seen Flows: \(grouped(status.seenFlows))",
            "Uptime: \(uptime(nanoseconds: status.uptimeNs))",
            "Lost Events: \(grouped(status.hedgerowDatapathLostEvents)) in the datapath, \(grouped(status.hedgerowClientLostEvents)) by slow clients",
        ]
        if status.hasNumConnectedNodes {
            let total = status.numConnectedNodes.value + (status.hasNumUnavailableNodes ? status.numUnavailableNodes.value : 0)
            lines.append("Connected Nodes: \(status.numConnectedNodes.value)/\(total)")
        }
        if !status.version.isEmpty { lines.append("Version: \(status.version)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// 12345 -> "12,345"
    static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// Go's duration style, to the second: "1h2m3s".
    static func uptime(nanoseconds: UInt64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
        if hours > 0 { return "\(hours)h\(minutes)m\(rest)s" }
        if minutes > 0 { return "\(minutes)m\(rest)s" }
        return "\(rest)s"
    }
}
