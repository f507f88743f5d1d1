/// TCP header flags; the bits are those of the TCP header (FIN = 0x01 ... CWR = 0x80, NS = 0x100),
/// so the datapath's raw flags byte converts directly.
public struct TCPFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)
    public static let ns = TCPFlags(rawValue: 0x100)

    /// In the order Hubble prints them ("SYN, ACK").
    public static let named: [(flag: TCPFlags, name: String)] = [
        (.syn, "SYN"), (.ack, "ACK"), (.rst, "RST"), (.fin, "FIN"), (.psh, "PSH"),
        (.urg, "URG"), (.ece, "ECE"), (.cwr, "CWR"), (.ns, "NS"),
    ]

    /// Comma-separated names, any case ("syn,ack"), as `--tcp-flags` takes them.
    public init(parsing text: String) throws(FlowFilterError) {
        var flags: TCPFlags = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.flowTrimmingSpaces().uppercased()
            guard let flag = Self.named.first(where: { $0.name == name })?.flag else {
                throw FlowFilterError(field: "tcp_flags", value: text, reason: "unknown TCP flag \"\(part)\"")
            }
            flags.insert(flag)
        }
        self = flags
    }

    public var description: String {
        Self.named.filter { contains($0.flag) }.map(\.name).joined(separator: ", ")
    }
}

/// The transport part of a flow. ICMP is not a transport, but is exclusive with them as in
/// Hubble's `flow.Layer4`.
public enum Layer4: Sendable, Hashable {
    case tcp(sourcePort: UInt16, destinationPort: UInt16, flags: TCPFlags)
    case udp(sourcePort: UInt16, destinationPort: UInt16)
    case sctp(sourcePort: UInt16, destinationPort: UInt16)
    case icmpv4(type: UInt8, code: UInt8)
    case icmpv6(type: UInt8, code: UInt8)

    public var sourcePort: UInt16? {
        switch self {
        case .tcp(let port, _, _), .udp(let port, _), .sctp(let port, _): port
        case .icmpv4, .icmpv6: nil
        }
    }

    public var destinationPort: UInt16? {
        switch self {
        case .tcp(_, let port, _), .udp(_, let port), .sctp(_, let port): port
        case .icmpv4, .icmpv6: nil
        }
    }

    public var tcpFlags: TCPFlags? {
        if case .tcp(_, _, let flags) = self { return flags }
        return nil
    }
}

extension Substring {
    func flowTrimmingSpaces() -> Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
