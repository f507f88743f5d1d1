import HedgerowAPI
import HedgerowCore
import SwiftProtobuf

/// Hubble flows back to core flows, with only what the suggester reads: time, verdict,
/// addresses, transport, both ends and the reply flag. Everything else keeps its neutral default.
extension Flow {
    /// Nil for flows without addresses (the suggester could not use them anyway).
    init?(suggestionInput message: Flow_Flow) {
        guard message.hasIp, let source = IPAddress(message.ip.source),
            let destination = IPAddress(message.ip.destination)
        else { return nil }
        self.init(
            time: FlowTimestamp(seconds: message.time.seconds, nanos: message.time.nanos),
            verdict: Verdict(rawValue: Int32(message.verdict.rawValue)) ?? .unknown,
            ip: FlowIP(source: source, destination: destination),
            l4: message.hasL4 ? Layer4(suggestionInput: message.l4) : nil,
            source: FlowEndpoint(suggestionInput: message.source),
            destination: FlowEndpoint(suggestionInput: message.destination),
            isReply: message.hasIsReply ? message.isReply.value : nil,
            eventType: FlowEventType(type: message.eventType.type, subType: message.eventType.subType))
    }
}

extension Layer4 {
    init?(suggestionInput message: Flow_Layer4) {
        switch message.protocol {
        case .tcp(let tcp)?:
            self = .tcp(
                sourcePort: UInt16(truncatingIfNeeded: tcp.sourcePort),
                destinationPort: UInt16(truncatingIfNeeded: tcp.destinationPort), flags: [])
        case .udp(let udp)?:
            self = .udp(
                sourcePort: UInt16(truncatingIfNeeded: udp.sourcePort),
                destinationPort: UInt16(truncatingIfNeeded: udp.destinationPort))
        case .sctp(let sctp)?:
            self = .sctp(
                sourcePort: UInt16(truncatingIfNeeded: sctp.sourcePort),
                destinationPort: UInt16(truncatingIfNeeded: sctp.destinationPort))
        case .icmpv4(let icmp)?:
            self = .icmpv4(type: UInt8(truncatingIfNeeded: icmp.type), code: UInt8(truncatingIfNeeded: icmp.code))
        case .icmpv6(let icmp)?:
            self = .icmpv6(type: UInt8(truncatingIfNeeded: icmp.type), code: UInt8(truncatingIfNeeded: icmp.code))
        default:
            return nil
        }
    }
}

extension FlowEndpoint {
    init(suggestionInput message: Flow_Endpoint) {
        self.init(
            id: message.id, identity: SecurityIdentity(rawValue: message.identity), namespace: message.namespace,
            podName: message.podName, labels: message.labels.map(FlowLabel.init(text:)))
    }
}
