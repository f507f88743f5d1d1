/// One flow filter with Hubble's semantics: every field that has values must match (AND), and
/// a field matches when any one of its values does (OR). An empty filter matches every flow.
/// Values are parsed (and so validated) when the filter is built, never per flow.
public struct FlowFilter: Sendable, Hashable {
    public var uuids: [String] = []
    public var sourceIPs: [IPFilterValue] = []
    public var destinationIPs: [IPFilterValue] = []
    public var sourcePods: [NamespacedPrefix] = []
    public var destinationPods: [NamespacedPrefix] = []
    public var sourceServices: [NamespacedPrefix] = []
    public var destinationServices: [NamespacedPrefix] = []
    /// FQDN patterns (`*` wildcard) matched against the DNS names of each end.
    public var sourceFQDNs: [String] = []
    public var destinationFQDNs: [String] = []
    public var sourceLabels: [FlowLabelSelector] = []
    public var destinationLabels: [FlowLabelSelector] = []
    public var sourceIdentities: [SecurityIdentity] = []
    public var destinationIdentities: [SecurityIdentity] = []
    public var sourcePorts: [UInt16] = []
    public var destinationPorts: [UInt16] = []
    public var protocols: [FlowProtocol] = []
    public var verdicts: [Verdict] = []
    /// A flow matches when it carries every flag of one of these sets.
    public var tcpFlags: [TCPFlags] = []
    public var replies: [Bool] = []
    public var nodeNames: [NodeNamePattern] = []
    public var trafficDirections: [FlowTrafficDirection] = []
    public var eventTypes: [EventTypeMatch] = []
    /// nil stands for flows without IP (Hubble's IP_NOT_USED).
    public var ipVersions: [IPFamily?] = []
    /// Set when the filter asks for L7 data (HTTP, DNS, trace ids) that Hedgerow flows never
    /// carry: such a filter matches nothing, as it would in Hubble for L3/L4 flows.
    public var requiresLayer7 = false

    public init() {}

    public var isEmpty: Bool { self == FlowFilter() }

    public func matches(_ flow: Flow) -> Bool {
        if requiresLayer7 { return false }
        if !verdicts.isEmpty && !verdicts.contains(flow.verdict) { return false }
        if !protocols.isEmpty && !protocols.contains(where: { $0.matches(flow.l4) }) { return false }
        if !trafficDirections.isEmpty && !trafficDirections.contains(flow.trafficDirection) { return false }
        if !eventTypes.isEmpty && !eventTypes.contains(where: { $0.matches(flow.eventType) }) { return false }
        if !replies.isEmpty && !Self.replyMatches(flow, replies) { return false }
        if !ipVersions.isEmpty && !ipVersions.contains(flow.ip?.family) { return false }
        if !sourcePorts.isEmpty && !Self.contains(sourcePorts, flow.l4?.sourcePort) { return false }
        if !destinationPorts.isEmpty && !Self.contains(destinationPorts, flow.l4?.destinationPort) { return false }
        if !tcpFlags.isEmpty {
            guard let flags = flow.l4?.tcpFlags, tcpFlags.contains(where: { flags.isSuperset(of: $0) }) else { return false }
        }
        if !sourceIdentities.isEmpty && !sourceIdentities.contains(flow.source.identity) { return false }
        if !destinationIdentities.isEmpty && !destinationIdentities.contains(flow.destination.identity) { return false }
        if !sourceIPs.isEmpty && !Self.ipMatches(sourceIPs, flow.ip?.source) { return false }
        if !destinationIPs.isEmpty && !Self.ipMatches(destinationIPs, flow.ip?.destination) { return false }
        if !sourcePods.isEmpty && !sourcePods.contains(where: { $0.matches(namespace: flow.source.namespace, name: flow.source.podName) }) {
            return false
        }
        if !destinationPods.isEmpty
            && !destinationPods.contains(where: { $0.matches(namespace: flow.destination.namespace, name: flow.destination.podName) })
        {
            return false
        }
        if !sourceServices.isEmpty && !Self.serviceMatches(sourceServices, flow.sourceService) { return false }
        if !destinationServices.isEmpty && !Self.serviceMatches(destinationServices, flow.destinationService) { return false }
        if !sourceFQDNs.isEmpty && !Self.namesMatch(sourceFQDNs, flow.sourceNames) { return false }
        if !destinationFQDNs.isEmpty && !Self.namesMatch(destinationFQDNs, flow.destinationNames) { return false }
        if !sourceLabels.isEmpty && !sourceLabels.contains(where: { $0.matches(flow.source.labels) }) { return false }
        if !destinationLabels.isEmpty && !destinationLabels.contains(where: { $0.matches(flow.destination.labels) }) {
            return false
        }
        if !nodeNames.isEmpty && !nodeNames.contains(where: { $0.matches(flow.nodeName) }) { return false }
        if !uuids.isEmpty && !uuids.contains(flow.uuid?.description ?? "") { return false }
        return true
    }

    /// Hubble treats an unknown direction as "not a reply" for drops only (older clients assume
    /// drops are never replies) and as no match otherwise.
    private static func replyMatches(_ flow: Flow, _ replies: [Bool]) -> Bool {
        guard flow.isReply != nil || flow.verdict == .dropped else { return false }
        return replies.contains(flow.isReply ?? false)
    }

    private static func contains(_ ports: [UInt16], _ port: UInt16?) -> Bool {
        guard let port else { return false }
        return ports.contains(port)
    }

    private static func ipMatches(_ values: [IPFilterValue], _ address: IPAddress?) -> Bool {
        guard let address else { return false }
        return values.contains { $0.matches(address) }
    }

    private static func serviceMatches(_ values: [NamespacedPrefix], _ service: ServiceName?) -> Bool {
        guard let service else { return false }
        return values.contains { $0.matches(namespace: service.namespace, name: service.name) }
    }

    private static func namesMatch(_ patterns: [String], _ names: [String]) -> Bool {
        names.contains { name in
            let canonical = name.lowercased().hasSuffix(".") ? String(name.lowercased().dropLast()) : name.lowercased()
            return patterns.contains { NodeNamePattern.glob($0, canonical) }
        }
    }
}

/// The protocols `--protocol` accepts. L7 names are accepted for compatibility and never match:
/// Hedgerow flows are L3/L4.
public enum FlowProtocol: String, Sendable, Hashable, CaseIterable {
    case tcp, udp, sctp, icmp, icmpv4, icmpv6, dns, http, kafka

    public init(parsing text: String) throws(FlowFilterError) {
        guard let value = FlowProtocol(rawValue: text.lowercased()) else {
            throw FlowFilterError(
                field: "protocol", value: text,
                reason: "unknown protocol, expected one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = value
    }

    func matches(_ l4: Layer4?) -> Bool {
        switch (self, l4) {
        case (.tcp, .tcp?), (.udp, .udp?), (.sctp, .sctp?), (.icmpv4, .icmpv4?), (.icmpv6, .icmpv6?): true
        case (.icmp, .icmpv4?), (.icmp, .icmpv6?): true
        default: false
        }
    }
}

/// Matches a flow's event type; type 0 matches any type, a nil sub-type any sub-type.
public struct EventTypeMatch: Sendable, Hashable {
    public var type: Int32
    public var subType: Int32?

    public init(type: Int32, subType: Int32? = nil) {
        self.type = type
        self.subType = subType
    }

    /// `TYPE[:SUBTYPE]` as `--type` takes it: names ("trace:to-endpoint", "drop") or numbers ("4:0").
    public init(parsing text: String) throws(FlowFilterError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if let named = FlowEventType.typeNames.first(where: { $0.name == parts[0] }) {
            type = named.type
        } else if let number = Int32(parts[0]), number >= 0 {
            type = number
        } else {
            let names = FlowEventType.typeNames.map(\.name).joined(separator: ", ")
            throw FlowFilterError(field: "event_type", value: text, reason: "unknown event type, expected one of \(names) or a number")
        }
        guard parts.count == 2 else {
            subType = nil
            return
        }
        if type == FlowEventType.traceType, let point = TraceObservationPoint(name: parts[1]) {
            subType = Int32(point.rawValue)
        } else if let number = Int32(parts[1]), number >= 0 {
            subType = number
        } else {
            throw FlowFilterError(field: "event_type", value: text, reason: "unknown sub-type \"\(parts[1])\"")
        }
    }

    public func matches(_ eventType: FlowEventType) -> Bool {
        (type == 0 || type == eventType.type) && (subType == nil || subType == eventType.subType)
    }
}

/// Whitelist and blacklist together: a flow passes when any whitelist filter matches (or there
/// is none) and no blacklist filter does. The blacklist wins.
public struct FlowFilterSet: Sendable, Hashable {
    public var whitelist: [FlowFilter]
    public var blacklist: [FlowFilter]

    public init(whitelist: [FlowFilter] = [], blacklist: [FlowFilter] = []) {
        self.whitelist = whitelist
        self.blacklist = blacklist
    }

    public var isEmpty: Bool { whitelist.isEmpty && blacklist.isEmpty }

    public func allows(_ flow: Flow) -> Bool {
        (whitelist.isEmpty || whitelist.contains { $0.matches(flow) }) && !blacklist.contains { $0.matches(flow) }
    }
}

extension SecurityIdentity {
    /// A number or a reserved identity name ("world", "host", ...), as `--identity` takes it.
    public init(filterValue text: String, field: String = "identity") throws(FlowFilterError) {
        if let number = UInt32(text) {
            self.init(rawValue: number)
            return
        }
        let name = text.hasPrefix("reserved:") ? String(text.dropFirst("reserved:".count)) : text
        guard let reserved = (1...7).map({ SecurityIdentity(rawValue: $0) }).first(where: { $0.reservedName == name }) else {
            let names = (1...7).compactMap { SecurityIdentity(rawValue: $0).reservedName }.joined(separator: ", ")
            throw FlowFilterError(field: field, value: text, reason: "expected a number or one of \(names)")
        }
        self = reserved
    }
}
