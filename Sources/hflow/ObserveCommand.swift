import ArgumentParser
import Foundation
import GRPCCore
import HedgerowAPI
import HedgerowCore

/// `hflow observe`: flows from the agent's ring, filtered and printed as hubble prints them.
struct ObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "Observe flows of a Hedgerow node.",
        discussion: """
            A flow must match every filter flag given, and one of the values of each flag. --not negates the \
            filter flag that follows it: hflow observe --not --verdict FORWARDED.
            """)

    @Flag(name: [.customShort("f"), .long], help: "Keep printing new flows as they arrive.")
    var follow = false
    @Option(help: "Print the last N stored flows (default 20 without --follow).")
    var last: UInt64?
    @Option(help: "Print the first N stored flows.")
    var first: UInt64?
    @Flag(help: "Print every stored flow.")
    var all = false
    @Option(help: "Only flows since this time: a duration ago (5m, 1h30m) or a time (RFC 3339, 2024-11-26).")
    var since: String?
    @Option(help: "Only flows until this time (same forms as --since).")
    var until: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: compact, dict, json, jsonpb, table.")
    var output: OutputFormat = .compact
    @Flag(name: .customLong("print-node-name"), help: "Print the node name of each flow.")
    var printNodeName = false
    @Option(name: .customLong("time-format"), help: "Time format: \(TimeFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var timeFormat: TimeFormat = .stampMilli
    @Option(help: "Colour the compact and dict output: auto, always, never.")
    var color: ColorMode = .auto

    @OptionGroup(title: "Filters") var filters: FilterOptions
    @OptionGroup(title: "Server") var server: ServerOptions

    /// The request for these options; `arguments` are the raw arguments, read for filter order.
    func makeRequest(arguments: [String], now: FlowTimestamp) throws -> Observer_GetFlowsRequest {
        if output.isTable && follow { throw UsageError("table output format is not compatible with follow mode") }
        let filterLists = try FilterLists(arguments: arguments)
        let builder = FlowsRequestBuilder(last: last, first: first, all: all, follow: follow, since: since, until: until)
        return try builder.request(filters: filterLists, now: now)
    }

    func run() async throws {
        let request = try makeRequest(arguments: Array(CommandLine.arguments.dropFirst()), now: FlowClock.now())
        let target = try server.target()
        let tls = try server.tlsOptions()
        let colors = Colorizer(mode: color, isTerminal: isatty(STDOUT_FILENO) == 1, environment: ProcessInfo.processInfo.environment)
        let printer = FlowPrinter(
            formatter: FlowFormatter(format: output, timeFormat: timeFormat, printNodeName: printNodeName, colors: colors),
            flushEachResponse: follow)

        let deadline = try server.deadline(for: target, stream: true)
        let task = Task {
            try await deadline.run { answered in
                try await withObserver(target, tls: tls) { client in
                    try await client.getFlows(request) { response in
                        answered()
                        for try await message in response.messages {
                            printer.print(message)
                        }
                    }
                }
            }
        }
        let interrupts = InterruptWatcher { task.cancel() }
        defer { interrupts.stop() }
        do {
            try await task.value
        } catch where task.isCancelled {
            // Ctrl-C: what was received is printed and the command succeeds, as hubble does.
        } catch let error as RPCError {
            printer.finish()
            throw ServerError(error.message.isEmpty ? "\(error.code)" : error.message)
        } catch let error as NoAnswer {
            printer.finish()
            throw ServerError(error.description)
        }
        printer.finish()
    }
}

/// The server refused or failed the request (exit 1).
struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints responses as they come; shared with the RPC task, which is the only writer.
final class FlowPrinter: @unchecked Sendable {
    private var formatter: FlowFormatter
    private let output = OutputSink(descriptor: STDOUT_FILENO)
    private let errors = OutputSink(descriptor: STDERR_FILENO)
    private let flushEachResponse: Bool

    init(formatter: FlowFormatter, flushEachResponse: Bool) {
        self.formatter = formatter
        self.flushEachResponse = flushEachResponse
    }

    func print(_ response: Observer_GetFlowsResponse) {
        let (text, error) = formatter.format(response)
        output.write(text)
        if !error.isEmpty {
            errors.write(error)
            errors.flush()
        }
        if flushEachResponse { output.flush() }
    }

    func finish() {
        output.write(formatter.finish())
        output.flush()
    }
}
