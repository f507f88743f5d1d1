import HedgerowCore

/// The label values Hubble's metric handlers derive from a flow, so that dashboards and alerts
/// written for Hubble keep working. Pure functions of the flow; `MetricsSink` calls them only
/// the first time it meets a label combination.
enum HubbleMetricLabels {
    /// `type` of hubble_flows_processed_total: the monitor message type's name ("Trace", "Drop").
    static func typeName(_ eventType: FlowEventType) -> String {
        switch eventType.type {
        case FlowEventType.traceType: "Trace"
        case FlowEventType.dropType: "Drop"
        case FlowEventType.policyVerdictType: "PolicyVerdict"
        case FlowEventType.captureType: "Capture"
        case FlowEventType.debugType: "Debug"
        case FlowEventType.l7Type: "L7"
        case FlowEventType.agentType: "Agent"
        default: "Unknown"
        }
    }

    /// `subtype`: the observation point of a trace ("to-endpoint"); empty for the other types.
    static func subtypeName(_ eventType: FlowEventType) -> String {
        guard eventType.type == FlowEventType.traceType,
            let point = UInt8(exactly: eventType.subType).flatMap(TraceObservationPoint.init(rawValue:))
        else { return "" }
        return point.name
    }

    /// `match` of hubble_policy_verdicts_total: Cilium's policy match type names.
    static func matchName(_ matchType: UInt32) -> String {
        switch matchType {
        case 0: "none"
        case 1: "L3-Only"
        case 2: "L3-L4"
        case 3: "L4-Only"
        case 4: "all"
        default: String(matchType)
        }
    }

    /// `direction` of hubble_policy_verdicts_total ("ingress", "egress").
    static func directionName(_ direction: FlowTrafficDirection) -> String {
        direction.name.lowercased()
    }

    /// `action` of hubble_policy_verdicts_total ("forwarded", "dropped").
    static func actionName(_ verdict: Verdict) -> String {
        verdict.name.lowercased()
    }

    /// `source` of hubble_lost_events_total: the `flow.LostEventSource` name in lower case.
    static func lostSourceName(_ source: LostEventSource) -> String {
        switch source {
        case .unknown: "unknown_lost_event_source"
        case .perfEventRingBuffer: "perf_event_ring_buffer"
        case .observerEventsQueue: "observer_events_queue"
        case .hubbleRingBuffer: "hubble_ring_buffer"
        }
    }
}

/// The TCP flag label values Hubble counts (other flags are not counted).
enum TCPFlagLabel: String, Sendable, Hashable, CaseIterable {
    case fin = "FIN"
    case syn = "SYN"
    case synAck = "SYN-ACK"
    case rst = "RST"
}
