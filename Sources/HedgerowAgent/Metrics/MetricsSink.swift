import HedgerowCore
import Prometheus

/// Counts every ingested flow into Hubble's metric families (names, labels and which flows
/// count as Hubble's handlers define them), so Hubble dashboards work against the agent.
public final class MetricsSink: FlowSink {
    private let flows: CounterFamily<FlowKey>
    private let drops: CounterFamily<DropKey>
    private let tcpFlags: CounterFamily<TCPFlagKey>
    private let ports: CounterFamily<PortKey>
    private let policyVerdicts: CounterFamily<PolicyVerdictKey>
    private let lostEvents: CounterFamily<LostEventSource>

    public init(registry: PrometheusCollectorRegistry) {
        flows = CounterFamily(
            registry: registry, name: "hubble_flows_processed_total", help: "Total number of flows processed")
        drops = CounterFamily(registry: registry, name: "hubble_drop_total", help: "Number of drops")
        tcpFlags = CounterFamily(registry: registry, name: "hubble_tcp_flags_total", help: "TCP flag occurrences")
        ports = CounterFamily(
            registry: registry, name: "hubble_port_distribution_total",
            help: "Numbers of packets distributed by destination port")
        policyVerdicts = CounterFamily(
            registry: registry, name: "hubble_policy_verdicts_total",
            help: "Total number of Cilium network policy verdicts")
        lostEvents = CounterFamily(
            registry: registry, name: "hubble_lost_events_total", help: "Number of lost events")
    }

    public func observe(_ flow: Flow) {
        flows.increment(FlowKey(flow)) { key in
            [("type", HubbleMetricLabels.typeName(key.eventType)),
             ("subtype", HubbleMetricLabels.subtypeName(key.eventType)),
             ("verdict", key.verdict.name)]
        }
        if flow.verdict == .dropped {
            drops.increment(DropKey(flow)) { key in
                [("reason", DropReasonNames.name(of: key.reason)),
                 ("protocol", key.l4Protocol.rawValue)]
            }
        }
        if flow.eventType.type == FlowEventType.policyVerdictType { countPolicyVerdict(flow) }
        // An audited connection was forwarded too: its first packet counts like any other.
        guard flow.verdict == .forwarded || flow.verdict == .audit, let l4 = flow.l4 else { return }
        if let ip = flow.ip, let flags = l4.tcpFlags { countTCPFlags(flags, family: ip.family) }
        if flow.isReply != true { countDestinationPort(l4) }
    }

    public func observeLost(_ event: LostEvent) {
        lostEvents.increment(event.source, by: Int64(clamping: event.count)) { source in
            [("source", HubbleMetricLabels.lostSourceName(source))]
        }
    }

    private func countPolicyVerdict(_ flow: Flow) {
        let key = PolicyVerdictKey(
            direction: flow.trafficDirection, matchType: flow.policyMatchType, verdict: flow.verdict)
        policyVerdicts.increment(key) { key in
            [("direction", HubbleMetricLabels.directionName(key.direction)),
             ("match", HubbleMetricLabels.matchName(key.matchType)),
             ("action", HubbleMetricLabels.actionName(key.verdict))]
        }
    }

    private func countTCPFlags(_ flags: TCPFlags, family: IPFamily) {
        // Hubble counts FIN, SYN or SYN-ACK, and RST separately; checked without building an array.
        if flags.contains(.fin) { countTCPFlag(.fin, family: family) }
        if flags.contains(.syn) { countTCPFlag(flags.contains(.ack) ? .synAck : .syn, family: family) }
        if flags.contains(.rst) { countTCPFlag(.rst, family: family) }
    }

    private func countTCPFlag(_ flag: TCPFlagLabel, family: IPFamily) {
        tcpFlags.increment(TCPFlagKey(flag: flag, family: family)) { key in
            [("flag", key.flag.rawValue), ("family", key.family.rawValue)]
        }
    }

    /// Hubble counts ICMP under port 0 and ignores SCTP here.
    private func countDestinationPort(_ l4: Layer4) {
        let l4Protocol = L4Protocol(l4)
        guard l4Protocol != .sctp else { return }
        ports.increment(PortKey(l4Protocol: l4Protocol, port: l4.destinationPort ?? 0)) { key in
            [("protocol", key.l4Protocol.rawValue), ("port", String(key.port))]
        }
    }
}

// MARK: Cache keys: the raw values a family's labels are derived from. Each hashes one packed
// word: hashing is most of the cost of a counter lookup on the ingest path.

private struct FlowKey: Hashable, Sendable {
    var eventType: FlowEventType
    var verdict: Verdict
    init(_ flow: Flow) {
        eventType = flow.eventType
        verdict = flow.verdict
        // Only traces carry a subtype label; folding the others keeps one counter per label set.
        if eventType.type != FlowEventType.traceType { eventType.subType = 0 }
    }
    func hash(into hasher: inout Hasher) {
        hasher.combine(
            UInt64(UInt32(bitPattern: eventType.type)) << 32 ^ UInt64(UInt32(bitPattern: eventType.subType)) << 8
                ^ UInt64(UInt32(bitPattern: verdict.rawValue)))
    }
}

/// `protocol` label values of hubble_drop_total and hubble_port_distribution_total.
private enum L4Protocol: String, Hashable, Sendable {
    case tcp = "TCP", udp = "UDP", sctp = "SCTP", icmpv4 = "ICMPv4", icmpv6 = "ICMPv6", unknown = "Unknown flow"

    init(_ l4: Layer4?) {
        self = switch l4 {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        case .icmpv4: .icmpv4
        case .icmpv6: .icmpv6
        case nil: .unknown
        }
    }
}

private struct DropKey: Hashable, Sendable {
    var reason: DropReason
    var l4Protocol: L4Protocol
    init(_ flow: Flow) {
        reason = flow.dropReason ?? DropReason(rawValue: 0)
        l4Protocol = L4Protocol(flow.l4)
    }
    func hash(into hasher: inout Hasher) { hasher.combine(UInt16(reason.rawValue) << 8 | UInt16(l4Protocol.hashCode)) }
}

private struct TCPFlagKey: Hashable, Sendable {
    var flag: TCPFlagLabel
    var family: IPFamily
    // Both are String-backed: the default would hash their strings.
    func hash(into hasher: inout Hasher) {
        let flagCode: UInt8 = switch flag {
        case .fin: 0
        case .syn: 1
        case .synAck: 2
        case .rst: 3
        }
        hasher.combine(flagCode << 1 | (family == .ipv6 ? 1 : 0))
    }
}

private struct PortKey: Hashable, Sendable {
    var l4Protocol: L4Protocol
    var port: UInt16
    func hash(into hasher: inout Hasher) { hasher.combine(UInt32(l4Protocol.hashCode) << 16 | UInt32(port)) }
}

private struct PolicyVerdictKey: Hashable, Sendable {
    var direction: FlowTrafficDirection
    var matchType: UInt32
    var verdict: Verdict
}

extension L4Protocol {
    /// A small distinct number per case, for packing into hash words (the default would hash the string).
    fileprivate var hashCode: UInt8 {
        switch self {
        case .tcp: 1
        case .udp: 2
        case .sctp: 3
        case .icmpv4: 4
        case .icmpv6: 5
        case .unknown: 0
        }
    }
}
