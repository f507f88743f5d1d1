import ArgumentParser
import HedgerowAPI
import HedgerowCLI

extension HPolicy {
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which observed connections would change verdict if the files were applied; change nothing.",
            discussion: """
                Reads the flows the agent holds (ring and flow history), takes each connection's \
                forward direction (source, destination, protocol, port) and traces it on the policy \
                in force and on the policy with the files applied. Exit code 3 when any observed \
                connection would become denied.
                """)

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "A file, a directory of *.yaml/*.yml/*.json, or - for stdin. Repeatable.")
        var filename: [String]
        @Option(help: "Only flows since: a duration back from now (2h, 30m) or an RFC 3339 time. Default: all held.")
        var since: String?
        @Option(name: .shortAndLong, help: "Output: table or json.")
        var output: ImpactReport.Output = .table

        func run() async throws {
            let response = try await DryRun.call(filename: filename, since: since, socket: socket.resolved)
            try ImpactReport.print(response, output: output)
        }
    }
}

/// The dry-run request that `apply --dry-run` and `diff` share.
enum DryRun {
    static func call(filename: [String], since: String?, socket: String) async throws
        -> Hedgerow_Agent_V1_PolicyChangeResponse
    {
        var request = try PolicyFiles.applyRequest(filename)
        request.dryRun = true
        request.since = since ?? ""
        return try await PolicyCall.run(socket) { try await $0.applyPolicies(request) }
    }
}

extension PolicyFiles {
    /// The files as an apply request, after the offline validation: warnings are printed,
    /// errors are printed and fail the command before the agent is asked anything.
    static func applyRequest(_ filename: [String]) throws -> Hedgerow_Agent_V1_ApplyPoliciesRequest {
        let files = try read(filename)
        let offline = validate(files)
        for warning in offline.warnings { printError("warning: \(warning)") }
        guard offline.errors.isEmpty else {
            for error in offline.errors { printError("error: \(error)") }
            throw ExitCode.failure
        }
        return .with { $0.files = files.map { file in .with { $0.name = file.name; $0.contents = file.contents } } }
    }
}
