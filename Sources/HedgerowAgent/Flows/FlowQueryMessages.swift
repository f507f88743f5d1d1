import HedgerowAPI
import HedgerowCore
import SwiftProtobuf

/// Hubble's request messages in core terms. Every value is parsed here, once per request; a bad
/// one is an error that names where it is (`whitelist[0].source_ip "x": ...`).
extension FlowQuery {
    public init(_ request: Observer_GetFlowsRequest) throws(FlowFilterError) {
        if request.first && request.follow {
            throw FlowFilterError(field: "first", value: "true", reason: "cannot be combined with follow")
        }
        self.init(
            number: request.number, first: request.first, follow: request.follow,
            since: request.hasSince ? FlowTimestamp(request.since) : nil,
            until: request.hasUntil ? FlowTimestamp(request.until) : nil,
            filters: FlowFilterSet(
                whitelist: try Self.filters(request.whitelist, list: "whitelist"),
                blacklist: try Self.filters(request.blacklist, list: "blacklist")))
    }

    private static func filters(_ messages: [Flow_FlowFilter], list: String) throws(FlowFilterError) -> [FlowFilter] {
        var result: [FlowFilter] = []
        for (index, message) in messages.enumerated() {
            do {
                result.append(try FlowFilter(message))
            } catch {
                throw FlowFilterError(field: "\(list)[\(index)].\(error.field)", value: error.value, reason: error.reason)
            }
        }
        return result
    }
}

extension FlowTimestamp {
    init(_ timestamp: Google_Protobuf_Timestamp) {
        self.init(seconds: timestamp.seconds, nanos: timestamp.nanos)
    }
}

extension FlowFilter {
    public init(_ message: Flow_FlowFilter) throws(FlowFilterError) {
        self.init()
        uuids = message.uuid
        sourceIPs = try message.sourceIp.map { v throws(FlowFilterError) in try IPFilterValue(parsing: v, field: "source_ip") }
        destinationIPs = try message.destinationIp.map { v throws(FlowFilterError) in
            try IPFilterValue(parsing: v, field: "destination_ip")
        }
        sourcePods = try message.sourcePod.map { v throws(FlowFilterError) in try NamespacedPrefix(parsing: v, field: "source_pod") }
        destinationPods = try message.destinationPod.map { v throws(FlowFilterError) in
            try NamespacedPrefix(parsing: v, field: "destination_pod")
        }
        sourceServices = try message.sourceService.map { v throws(FlowFilterError) in
            try NamespacedPrefix(parsing: v, field: "source_service")
        }
        destinationServices = try message.destinationService.map { v throws(FlowFilterError) in
            try NamespacedPrefix(parsing: v, field: "destination_service")
        }
        sourceFQDNs = message.sourceFqdn.map { Self.canonicalFQDN($0) }
        destinationFQDNs = message.destinationFqdn.map { Self.canonicalFQDN($0) }
        sourceLabels = try message.sourceLabel.map { v throws(FlowFilterError) in
            try FlowLabelSelector(parsing: v, field: "source_label")
        }
        destinationLabels = try message.destinationLabel.map { v throws(FlowFilterError) in
            try FlowLabelSelector(parsing: v, field: "destination_label")
        }
        sourceIdentities = message.sourceIdentity.map { SecurityIdentity(rawValue: $0) }
        destinationIdentities = message.destinationIdentity.map { SecurityIdentity(rawValue: $0) }
        sourcePorts = try message.sourcePort.map { v throws(FlowFilterError) in try Self.port(v, field: "source_port") }
        destinationPorts = try message.destinationPort.map { v throws(FlowFilterError) in
            try Self.port(v, field: "destination_port")
        }
        protocols = try message.`protocol`.map { v throws(FlowFilterError) in try FlowProtocol(parsing: v) }
        verdicts = message.verdict.map { Verdict(rawValue: Int32($0.rawValue)) ?? .unknown }
        tcpFlags = message.tcpFlags.map(\.core)
        replies = message.reply
        nodeNames = try message.nodeName.map { v throws(FlowFilterError) in try NodeNamePattern(parsing: v) }
        trafficDirections = message.trafficDirection.map { FlowTrafficDirection(rawValue: Int32($0.rawValue)) ?? .unknown }
        eventTypes = message.eventType.map { EventTypeMatch(type: $0.type, subType: $0.matchSubType ? $0.subType : nil) }
        ipVersions = message.ipVersion.map {
            switch $0 {
            case .ipv4: .ipv4
            case .ipv6: .ipv6
            default: nil
            }
        }
        requiresLayer7 = !(message.httpStatusCode.isEmpty && message.httpMethod.isEmpty && message.httpPath.isEmpty
            && message.dnsQuery.isEmpty && message.traceID.isEmpty)
    }

    private static func port(_ text: String, field: String) throws(FlowFilterError) -> UInt16 {
        guard let port = UInt16(text) else {
            throw FlowFilterError(field: field, value: text, reason: "not a port number (0-65535)")
        }
        return port
    }

    private static func canonicalFQDN(_ pattern: String) -> String {
        let lowered = pattern.lowercased()
        return lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
    }
}
