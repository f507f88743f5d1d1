import GRPCCore
import HedgerowAPI
import HedgerowCore

/// The policy half of the Agent API (hpolicy). The engine applies synchronously, so a response
/// already says whether every affected endpoint enforces the new revision.
extension AgentAPIService {
    private var policy: PolicyEngine { endpoints.policy }

    func applyPolicies(
        request: Hedgerow_Agent_V1_ApplyPoliciesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_PolicyChangeResponse {
        let files = request.files.map { (name: $0.name, contents: $0.contents) }
        guard request.dryRun else {
            return try await rpc {
                let result = try policy.apply(files: files, dryRun: false)
                return Self.response(result.changes, result.outcome, revision: policy.revision)
            }
        }
        let since: FlowTimestamp?
        if request.since.isEmpty {
            since = nil
        } else if let parsed = TimeArgument.parse(request.since, now: FlowClock.now()) {
            since = parsed
        } else {
            throw RPCError(
                code: .invalidArgument, message: "--since \(request.since): not a duration (2h, 30m) or an RFC 3339 time")
        }
        // Flows first, outside the engine's lock: reading a long history must not stall policy.
        let observed = await policy.observedFlows?.tally(since: since) ?? ObservedConnectionTally()
        return try await rpc {
            let preview = try policy.preview(files: files)
            var response = Self.response(preview.changes, nil, revision: policy.revision)
            let impact = preview.impact(of: observed)
            response.impact = impact.changes.map(Self.verdictChange)
            response.observedConnections = UInt32(clamping: impact.connections)
            response.untraceable = impact.untraceable
            return response
        }
    }

    private static func verdictChange(_ change: PolicyImpact.Change) -> Hedgerow_Agent_V1_VerdictChange {
        .with {
            $0.source = change.connection.source.description
            $0.destination = change.connection.destination.description
            $0.port = UInt32(change.connection.port)
            $0.protocol = change.connection.protocolName
            $0.oldVerdict = change.before.rawValue
            $0.newVerdict = change.after.rawValue
            $0.flows = UInt64(change.flows)
            $0.lastSeenUnixNanos = change.lastSeen.nanosecondsSinceEpoch
            $0.decidedBy = change.decidedBy
        }
    }

    func deletePolicies(
        request: Hedgerow_Agent_V1_DeletePoliciesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_PolicyChangeResponse {
        try await rpc {
            let references = request.policies.map {
                ObjectReference(kind: $0.kind, namespace: $0.namespace.isEmpty ? nil : $0.namespace, name: $0.name)
            }
            let result = try policy.delete(references)
            return Self.response(result.changes, result.outcome, revision: policy.revision)
        }
    }

    func listPolicies(
        request: Hedgerow_Agent_V1_ListPoliciesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_ListPoliciesResponse {
        let namespace = request.namespace.isEmpty ? nil : request.namespace
        let policies = policy.policies(namespace: namespace)
        return .with {
            $0.revision = policy.revision
            $0.policies = policies.map { item in
                .with {
                    $0.ref = Self.ref(item.reference)
                    $0.source = item.source
                    $0.json = item.json
                    $0.mode = item.mode.rawValue
                }
            }
        }
    }

    func tracePolicy(
        request: Hedgerow_Agent_V1_TracePolicyRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_TracePolicyResponse {
        try await rpc {
            guard let from = Self.peer(request.from), let to = Self.peer(request.to) else {
                throw RPCError(code: .invalidArgument, message: "--from and --to must be NAMESPACE/POD or an IP address")
            }
            let numbers: [String: UInt8] = ["": 6, "TCP": 6, "UDP": 17, "SCTP": 132, "ICMP": 1]
            guard let proto = numbers[request.protocol.uppercased()] else {
                throw RPCError(code: .invalidArgument, message: "protocol \(request.protocol) is not TCP, UDP, SCTP or ICMP")
            }
            let trace = try policy.trace(
                PolicyTraceQuery(source: from, destination: to, proto: proto, port: UInt16(clamping: request.port)))
            return .with {
                $0.verdict = trace.isAllowed ? "ALLOWED" : "DENIED"
                $0.explanation = trace.description.split(separator: "\n").map(String.init)
            }
        }
    }

    /// NAMESPACE/POD, or an IP address (a pod's, the node's or an outside one: the engine decides).
    private static func peer(_ text: String) -> PolicyTraceQuery.Peer? {
        if let address = IPAddress(text) { return .address(address) }
        let parts = text.split(separator: "/").map(String.init)
        return parts.count == 2 ? .pod(NamespacedName(namespace: parts[0], name: parts[1])) : nil
    }

    private static func ref(_ reference: ObjectReference) -> Hedgerow_Agent_V1_PolicyRef {
        .with {
            $0.kind = reference.kind
            $0.namespace = reference.namespace ?? ""
            $0.name = reference.name
        }
    }

    private static func response(
        _ changes: [PolicyEngine.Change], _ outcome: PolicyEngine.SyncOutcome?, revision: UInt64
    ) -> Hedgerow_Agent_V1_PolicyChangeResponse {
        .with {
            $0.changes = changes.map { change in
                .with {
                    $0.policy = ref(change.reference)
                    $0.action =
                        switch change.action {
                        case .unchanged: .unchanged
                        case .created: .created
                        case .configured: .configured
                        case .deleted: .deleted
                        case .notFound: .notFound
                        }
                }
            }
            $0.revision = outcome?.revision ?? revision
            $0.enforced = outcome.map { $0.lagging.isEmpty } ?? true
            $0.laggingEndpoints = outcome?.lagging ?? []
            $0.affectedEndpoints = UInt32(outcome?.affectedEndpoints ?? 0)
        }
    }
}
