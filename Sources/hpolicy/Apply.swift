import ArgumentParser
import Foundation
import GRPCCore
import HedgerowAPI
import HedgerowCLI

extension HPolicy {
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply policies, all or nothing; returns once every affected endpoint enforces them.")

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "A file, a directory of *.yaml/*.yml/*.json, or - for stdin. Repeatable.")
        var filename: [String]
        @Flag(help: "Validate and show what would change, with the observed connections whose verdict would change; change nothing.")
        var dryRun = false
        @Option(help: "With --dry-run: only flows since a duration back from now (2h) or an RFC 3339 time.")
        var since: String?
        @Option(help: "How long to wait for the endpoints to enforce the result (seconds).")
        var timeout: Double = 10

        func validate() throws {
            if since != nil && !dryRun { throw ValidationError("--since needs --dry-run") }
        }

        func run() async throws {
            if dryRun {
                let response = try await DryRun.call(filename: filename, since: since, socket: socket.resolved)
                try PolicyCall.report(response, dryRun: true)
                try ImpactReport.print(response, output: .table)
                return
            }
            var request = try PolicyFiles.applyRequest(filename)
            request.waitTimeoutMs = UInt32(timeout * 1000)
            let response = try await PolicyCall.run(socket.resolved) { try await $0.applyPolicies(request) }
            try PolicyCall.report(response, dryRun: false)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete policies by KIND/NAMESPACE/NAME or by the files that define them.")

        @OptionGroup var socket: AgentSocketOption
        @Argument(help: "Policies as KIND/NAMESPACE/NAME (cluster-wide: KIND/NAME).")
        var policies: [String] = []
        @Option(name: .shortAndLong, help: "Delete the policies these files define.")
        var filename: [String] = []
        @Option(help: "How long to wait for the endpoints to enforce the result (seconds).")
        var timeout: Double = 10

        func validate() throws {
            guard !policies.isEmpty || !filename.isEmpty else { throw ValidationError("name policies or pass -f") }
        }

        func run() async throws {
            var references = try policies.map { try PolicyCall.reference($0) }
            if !filename.isEmpty {
                let offline = PolicyFiles.validate(try PolicyFiles.read(filename))
                guard offline.errors.isEmpty else {
                    for error in offline.errors { printError("error: \(error)") }
                    throw ExitCode.failure
                }
                references += try offline.policies.map(PolicyCall.reference(described:))
            }
            let request = Hedgerow_Agent_V1_DeletePoliciesRequest.with {
                $0.policies = references
                $0.waitTimeoutMs = UInt32(timeout * 1000)
            }
            let response = try await PolicyCall.run(socket.resolved) { try await $0.deletePolicies(request) }
            try PolicyCall.report(response, dryRun: false)
        }
    }
}

/// What apply and delete share: the call, its errors, and kubectl-like output.
enum PolicyCall {
    static func run<T: Sendable>(_ socket: String, _ body: (AgentClient) async throws -> T) async throws -> T {
        do {
            return try await withAgent(socketPath: socket, body)
        } catch let error as RPCError {
            printError("error: \(error.message)")
            throw ExitCode.failure
        } catch let error as AgentUnreachable {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }

    static func report(_ response: Hedgerow_Agent_V1_PolicyChangeResponse, dryRun: Bool) throws {
        let suffix = dryRun ? " (dry run)" : ""
        for change in response.changes {
            print("\(describe(change.policy)) \(word(change.action))\(suffix)")
        }
        guard !dryRun else { return }
        if response.enforced {
            print("revision \(response.revision) enforced by \(response.affectedEndpoints) endpoint(s)")
        } else {
            printError("revision \(response.revision) is not enforced by \(response.laggingEndpoints.count) endpoint(s); "
                + "they keep their previous policy and are retried on every later change:")
            for endpoint in response.laggingEndpoints { printError("  \(endpoint)") }
            throw ExitCode(3)
        }
    }

    static func describe(_ ref: Hedgerow_Agent_V1_PolicyRef) -> String {
        ref.namespace.isEmpty ? "\(ref.kind) \(ref.name)" : "\(ref.kind) \(ref.namespace)/\(ref.name)"
    }

    static func word(_ action: Hedgerow_Agent_V1_PolicyChangeAction) -> String {
        switch action {
        case .created: "created"
        case .configured: "configured"
        case .deleted: "deleted"
        case .notFound: "not found"
        default: "unchanged"
        }
    }

    /// "KIND/NAMESPACE/NAME" or "KIND/NAME".
    static func reference(_ text: String) throws -> Hedgerow_Agent_V1_PolicyRef {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts.contains(where: \.isEmpty) else {
            throw ValidationError("'\(text)' is not KIND/NAMESPACE/NAME or KIND/NAME")
        }
        return .with {
            $0.kind = parts[0]
            $0.namespace = parts.count == 3 ? parts[1] : ""
            $0.name = parts.last!
        }
    }

    /// From an object reference as the parser prints it ("NetworkPolicy x/allow-db").
    static func reference(described text: String) throws -> Hedgerow_Agent_V1_PolicyRef {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("unexpected object reference '\(text)'") }
        return try reference("\(parts[0])/\(parts[1])")
    }
}
