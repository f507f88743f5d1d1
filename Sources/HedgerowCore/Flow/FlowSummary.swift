/// The one-line summary Hubble puts in `flow.Flow.Summary` and prints after the verdict:
/// "TCP Flags: SYN, ACK", "UDP", "ICMPv4 EchoRequest".
public enum FlowSummary {
    public static func text(for flow: Flow) -> String {
        switch flow.l4 {
        case .tcp(_, _, let flags)?: "TCP Flags: \(flags)"
        case .udp?: "UDP"
        case .sctp?: "SCTP"
        case .icmpv4(let type, let code)?: "ICMPv4 \(icmpv4Name(type: type, code: code))"
        case .icmpv6(let type, let code)?: "ICMPv6 \(icmpv6Name(type: type, code: code))"
        case nil: flow.ip.map { $0.family == .ipv4 ? "IPv4" : "IPv6" } ?? (flow.ethernet == nil ? "" : "Ethernet")
        }
    }

    static func icmpv4Name(type: UInt8, code: UInt8) -> String {
        switch type {
        case 0: return "EchoReply"
        case 3:
            let codes = [
                "Net", "Host", "Protocol", "Port", "FragmentationNeeded", "SourceRoutingFailed", "NetUnknown",
                "HostUnknown", "SourceIsolated", "NetAdminProhibited", "HostAdminProhibited", "NetTOS", "HostTOS",
                "CommAdminProhibited", "HostPrecedence", "PrecedenceCutoff",
            ]
            return "DestinationUnreachable(\(Int(code) < codes.count ? codes[Int(code)] : "Code: \(code)"))"
        case 5: return "Redirect"
        case 8: return "EchoRequest"
        case 11: return code == 0 ? "TimeExceeded(TTLExceeded)" : "TimeExceeded(FragmentReassemblyTimeExceeded)"
        case 12: return "ParameterProblem"
        default: return "Type(\(type))Code(\(code))"
        }
    }

    static func icmpv6Name(type: UInt8, code: UInt8) -> String {
        switch type {
        case 1: return "DestinationUnreachable"
        case 2: return "PacketTooBig"
        case 3: return "TimeExceeded"
        case 4: return "ParameterProblem"
        case 128: return "EchoRequest"
        case 129: return "EchoReply"
        case 133: return "RouterSolicitation"
        case 134: return "RouterAdvertisement"
        case 135: return "NeighborSolicitation"
        case 136: return "NeighborAdvertisement"
        case 137: return "Redirect"
        default: return "Type(\(type))Code(\(code))"
        }
    }
}
