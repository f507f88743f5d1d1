import ArgumentParser
import Foundation
import GRPCCore
import HedgerowAPI
import HedgerowCLI
import HedgerowCore
import SwiftProtobuf

extension PolicySuggestionFormat: ExpressibleByArgument {}

extension HPolicy {
    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print least-privilege NetworkPolicies that allow exactly the observed traffic of a namespace.",
            discussion: """
                Reads the forwarded (and audited) flows the agent holds, ring and flow history, and \
                writes one policy per workload (pods with equal labels, minus per-pod ones such as \
                pod-template-hash): pods are selected by labels, other namespaces by \
                kubernetes.io/metadata.name, addresses outside the cluster by ipBlock /32; DNS to \
                kube-dns is always allowed. Egress to the node, which no NetworkPolicy selects, gets a \
                CiliumNetworkPolicy. Check the result with `hpolicy diff -f FILE` before applying it.
                """)

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "The namespace whose pods get policies.")
        var namespace: String
        @Option(help: "Flows since: a duration back from now (24h, 30m) or an RFC 3339 time.")
        var since = "24h"
        @Option(name: .shortAndLong, help: "Output: yaml or json.")
        var output: PolicySuggestionFormat = .yaml

        func validate() throws {
            guard TimeArgument.parse(since, now: FlowTimestamp(seconds: 0)) != nil else {
                throw ValidationError("--since \(since): not a duration (24h, 30m) or an RFC 3339 time")
            }
        }

        func run() async throws {
            let now = FlowClock.now()
            guard let start = TimeArgument.parse(since, now: now) else { throw ValidationError("bad --since") }
            let suggestion = try await Self.learn(
                namespace: namespace, since: start, socket: socket.resolved)
            guard !suggestion.isEmpty else {
                printError(
                    "error: no forwarded flows of namespace \(namespace) since \(since); nothing to learn from "
                        + "(is the namespace right, did its pods send traffic, and does the agent's flow history reach back that far?)")
                throw ExitCode.failure
            }
            print(try suggestion.rendered(as: output, origin: "flows since \(ImpactReport.time(start.nanosecondsSinceEpoch))"), terminator: "")
        }

        /// Reads the namespace's forwarded flows over the Observer API and folds them as they arrive.
        static func learn(namespace: String, since: FlowTimestamp, socket: String) async throws -> PolicySuggestion {
            let request = Observer_GetFlowsRequest.with {
                $0.since = Google_Protobuf_Timestamp(seconds: since.seconds, nanos: since.nanos)
                // Either end in the namespace; replies and drops are filtered again by the suggester.
                let verdicts: [Flow_Verdict] = [.forwarded, .audit]
                $0.whitelist = [
                    .with { $0.sourcePod = ["\(namespace)/"]; $0.verdict = verdicts },
                    .with { $0.destinationPod = ["\(namespace)/"]; $0.verdict = verdicts },
                ]
            }
            do {
                return try await withObserver(.unixSocket(path: socket)) { client in
                    try await client.getFlows(request) { response in
                        var suggester = PolicySuggester(namespace: namespace)
                        for try await message in response.messages {
                            if case .flow(let flow)? = message.responseTypes, let flow = Flow(suggestionInput: flow) {
                                suggester.add(flow)
                            }
                        }
                        return suggester.suggestion()
                    }
                }
            } catch let error as RPCError {
                printError("error: \(error.message.isEmpty ? "\(error.code)" : error.message)")
                throw ExitCode.failure
            } catch let error as ObserverUnreachable {
                printError("error: cannot reach the agent at \(socket) (\(error.detail)); is `hagent run` running for this node?")
                throw ExitCode.failure
            }
        }
    }
}
