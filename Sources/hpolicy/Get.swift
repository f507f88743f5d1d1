import ArgumentParser
import Foundation
import HedgerowAPI
import HedgerowCLI
import Yams

extension HPolicy {
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the policies the agent enforces.")

        enum Output: String, ExpressibleByArgument, CaseIterable { case table, yaml, json }

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "Only this namespace (cluster-wide policies are always shown).")
        var namespace: String?
        @Option(name: .shortAndLong, help: "Output: table, yaml or json.")
        var output: Output = .table

        func run() async throws {
            let request = Hedgerow_Agent_V1_ListPoliciesRequest.with { $0.namespace = namespace ?? "" }
            let list = try await PolicyCall.run(socket.resolved) { try await $0.listPolicies(request) }
            switch output {
            case .table:
                print(Format.table(
                    header: ["KIND", "NAMESPACE", "NAME", "SOURCE"],
                    rows: list.policies.map { [$0.ref.kind, $0.ref.namespace, $0.ref.name, $0.source] }))
            case .json:
                print("[" + list.policies.map(\.json).joined(separator: ",\n") + "]")
            case .yaml:
                for policy in list.policies {
                    let object = try JSONSerialization.jsonObject(with: Data(policy.json.utf8))
                    print("---\n" + (try Yams.dump(object: object)), terminator: "")
                }
            }
        }
    }
}
