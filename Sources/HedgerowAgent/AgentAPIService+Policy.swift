import GRPCCore
import HedgerowAPI

/// The policy half of the Agent API.
extension AgentAPIService {
    func applyPolicies(
        request: Hedgerow_Agent_V1_ApplyPoliciesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_PolicyChangeResponse {
        throw RPCError(code: .unimplemented, message: "policy enforcement is not wired into this agent yet")
    }

    func deletePolicies(
        request: Hedgerow_Agent_V1_DeletePoliciesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_PolicyChangeResponse {
        throw RPCError(code: .unimplemented, message: "policy enforcement is not wired into this agent yet")
    }

    func listPolicies(
        request: Hedgerow_Agent_V1_ListPoliciesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_ListPoliciesResponse {
        throw RPCError(code: .unimplemented, message: "policy enforcement is not wired into this agent yet")
    }

    func tracePolicy(
        request: Hedgerow_Agent_V1_TracePolicyRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_TracePolicyResponse {
        throw RPCError(code: .unimplemented, message: "policy enforcement is not wired into this agent yet")
    }
}
