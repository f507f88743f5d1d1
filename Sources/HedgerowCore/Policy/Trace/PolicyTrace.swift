/// A question for `PolicyCompiler.trace`: may this source open a connection to this
/// destination on this port?
public struct PolicyTraceQuery: Hashable, Sendable {
    public enum Peer: Hashable, Sendable, CustomStringConvertible {
        case pod(NamespacedName)
        /// An address outside the cluster (or any address): its identity comes from the ipcache.
        case address(IPAddress)
        /// An address of the node itself: the reserved host identity (the agent puts the node's
        /// addresses in the datapath's ipcache as host; the compiler's ipcache does not know them).
        case node(IPAddress)

        public var description: String {
            switch self {
            case .pod(let name): name.description
            case .address(let address): address.description
            case .node(let address): "\(address) (node)"
            }
        }
    }

    public var source: Peer
    public var destination: Peer
    /// IP protocol number: 6 TCP, 17 UDP, 132 SCTP, 1 ICMP.
    public var proto: UInt8
    /// Destination port (ignored for protocols without ports).
    public var port: UInt16

    public init(source: Peer, destination: Peer, proto: UInt8, port: UInt16 = 0) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.port = port
    }

    public init(
        from source: NamespacedName, to destination: NamespacedName, port: UInt16,
        protocol transport: TransportProtocol = .tcp
    ) {
        self.init(source: .pod(source), destination: .pod(destination), proto: transport.number, port: port)
    }

    var protocolDescription: String {
        switch proto {
        case 6: "\(port)/TCP"
        case 17: "\(port)/UDP"
        case 132: "\(port)/SCTP"
        case 1: "ICMP"
        case 58: "ICMPv6"
        default: "protocol \(proto)"
        }
    }
}

/// The answer: the verdict of each side's policy and the rules that decided it.
public struct PolicyTrace: Hashable, Sendable, CustomStringConvertible {
    /// One side: egress at the source pod, or ingress at the destination pod.
    public struct Step: Hashable, Sendable, CustomStringConvertible {
        public var direction: TrafficDirection
        public var pod: NamespacedName
        public var verdict: PolicyVerdict
        /// The policies that put the pod in default deny for this direction.
        public var isolatedBy: [ObjectReference]
        /// Audit mode: what the audit view says when it would drop what `verdict` allows.
        public var audited: PolicyVerdict? = nil

        public var description: String {
            let place = "\(direction) at \(pod)"
            let audit = audited.map { "; AUDIT: with audit-mode policies enforced it would be \($0)" } ?? ""
            switch verdict {
            case .notEnforced:
                return "\(place): allowed, no policy selects \(pod) for \(direction)" + audit
            case .allowed, .denied:
                return "\(place): \(verdict)" + audit
            case .defaultDenied:
                let names = isolatedBy.map(\.description).joined(separator: ", ")
                return "\(place): default deny: selected by \(names); no rule allows"
            }
        }
    }

    public var query: PolicyTraceQuery
    public var sourceIdentity: SecurityIdentity
    public var destinationIdentity: SecurityIdentity
    /// Nil when the source is not a pod with a policy (an address, a host-network pod).
    public var egress: Step?
    /// Nil when the destination is not a pod with a policy.
    public var ingress: Step?

    /// A pod talking to itself: the traffic never leaves the pod, so no policy applies (Kubernetes:
    /// a pod cannot block access to itself). The steps still show what the policies say.
    public var isLoopback: Bool {
        if case .pod(let source) = query.source, case .pod(let destination) = query.destination {
            return source == destination
        }
        return false
    }

    public var isAllowed: Bool {
        isLoopback || ((egress?.verdict.isAllowed ?? true) && (ingress?.verdict.isAllowed ?? true))
    }

    /// Allowed, but an audit-mode policy would drop it: the datapath reports it as AUDIT.
    public var isAudited: Bool {
        isAllowed && !isLoopback && (egress?.audited != nil || ingress?.audited != nil)
    }

    /// The drop reason the datapath reports (the egress side decides first).
    public var dropReason: UInt8? {
        isLoopback ? nil : egress?.verdict.dropReason ?? ingress?.verdict.dropReason
    }

    public var description: String {
        var lines = [
            "\(query.source) (identity \(sourceIdentity)) -> \(query.destination) (identity \(destinationIdentity)) "
                + "\(query.protocolDescription): \(isAudited ? "ALLOWED (AUDIT)" : isAllowed ? "ALLOWED" : "DENIED")"
        ]
        if isLoopback { lines.append("  a pod's traffic to itself does not leave the pod; no policy applies") }
        lines += [egress, ingress].compactMap { $0.map { "  " + $0.description } }
        return lines.joined(separator: "\n")
    }
}

public struct PolicyTraceError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension PolicyCompiler {
    /// Traces a new connection through the source's egress policy and the destination's ingress
    /// policy, as the datapath would decide it (replies of allowed connections always pass).
    /// Works for any pods of the inputs, local or not.
    public func trace(_ query: PolicyTraceQuery) throws(PolicyTraceError) -> PolicyTrace {
        let source = try side(query.source)
        let destination = try side(query.destination)
        func step(_ pod: NamespacedName?, _ direction: TrafficDirection, remote: SecurityIdentity) -> PolicyTrace.Step?
        {
            guard let pod, let compiled = compile(pod) else { return nil }
            return PolicyTrace.Step(
                direction: direction, pod: pod,
                verdict: compiled.policy.verdict(
                    direction: direction, remote: remote, proto: query.proto, port: query.port),
                isolatedBy: compiled.isolatedBy[direction] ?? [],
                audited: compiled.policy.auditedDrop(
                    direction: direction, remote: remote, proto: query.proto, port: query.port))
        }
        return PolicyTrace(
            query: query, sourceIdentity: source.identity, destinationIdentity: destination.identity,
            egress: step(source.pod, .egress, remote: destination.identity),
            ingress: step(destination.pod, .ingress, remote: source.identity))
    }

    /// The identity of a trace end, and its pod when it has a policy of its own.
    private func side(_ peer: PolicyTraceQuery.Peer) throws(PolicyTraceError) -> (
        identity: SecurityIdentity, pod: NamespacedName?
    ) {
        switch peer {
        case .address(let address):
            return (ipcache.lookup(address), nil)
        case .node:
            return (.host, nil)
        case .pod(let name):
            guard let pod = inputs.pods[name] else { throw PolicyTraceError(message: "no pod \(name)") }
            if pod.hostNetwork { return (.host, nil) }
            guard let identity = identities.identityOfPod[name] else {
                throw PolicyTraceError(message: "pod \(name) has no identity")
            }
            return (identity, name)
        }
    }
}
