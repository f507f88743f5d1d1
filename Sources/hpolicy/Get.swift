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
                    header: ["KIND", "NAMESPACE", "NAME", "SOURCE", "MODE"],
                    rows: list.policies.map { [$0.ref.kind, $0.ref.namespace, $0.ref.name, $0.source, $0.mode] }))
            case .json:
                print("[" + list.policies.map(Self.json).joined(separator: ",\n") + "]")
            case .yaml:
                for policy in list.policies {
                    let object = try JSONSerialization.jsonObject(with: Data(Self.json(policy).utf8))
                    print("---\n" + (try Yams.dump(object: object)), terminator: "")
                }
            }
        }

        /// The policy as applied; one from the manifests directory or the API server, whose text
        /// stays with its source, as its reference with the source in an annotation.
        static func json(_ policy: Hedgerow_Agent_V1_StoredPolicy) -> String {
            guard policy.json.isEmpty else { return policy.json }
            var metadata: [String: Any] = ["name": policy.ref.name, "annotations": ["policy.hedgerow.dev/source": policy.source]]
            if !policy.ref.namespace.isEmpty { metadata["namespace"] = policy.ref.namespace }
            let object: [String: Any] = [
                "apiVersion": policy.ref.kind == "NetworkPolicy" ? "networking.k8s.io/v1" : "cilium.io/v2",
                "kind": policy.ref.kind, "metadata": metadata,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }
}
