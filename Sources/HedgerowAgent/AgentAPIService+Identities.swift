import GRPCCore
import HedgerowAPI
import HedgerowCore

/// `hagent identities`: the reserved identities and those of pods, by number, with the labels
/// that make them (as `cilium identity list` shows them).
extension AgentAPIService {
    func listIdentities(
        request: Hedgerow_Agent_V1_ListIdentitiesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_ListIdentitiesResponse {
        let pods = endpoints.policy.podIdentities()
        let reserved = (1...7).map { SecurityIdentity(rawValue: $0) }.compactMap { identity in
            identity.reservedName.map { name in
                Hedgerow_Agent_V1_Identity.with {
                    $0.id = identity.rawValue
                    $0.labels = ["reserved:\(name)"]
                }
            }
        }
        let allocated = pods.map { entry in
            Hedgerow_Agent_V1_Identity.with {
                $0.id = entry.identity.rawValue
                $0.labels = entry.labels.map { "k8s:\($0.key)=\($0.value)" }.sorted()
                $0.pods = entry.pods.map(\.description)
            }
        }
        return .with { $0.identities = (reserved + allocated).sorted { $0.id < $1.id } }
    }
}
