/// Where a frontend listens: one virtual address, or every address of the node (NodePort).
public enum FrontendAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case ip(IPAddress)
    /// Any local address of the node, of one family: a node port.
    case anyNodeAddress(IPFamily)

    public var family: IPFamily {
        switch self {
        case .ip(let ip): ip.family
        case .anyNodeAddress(let family): family
        }
    }

    public static func < (lhs: FrontendAddress, rhs: FrontendAddress) -> Bool {
        switch (lhs, rhs) {
        case (.ip(let a), .ip(let b)): a < b
        case (.anyNodeAddress(let a), .anyNodeAddress(let b)): a < b
        case (.ip, .anyNodeAddress): true
        case (.anyNodeAddress, .ip): false
        }
    }

    /// `10.96.0.10`, `fd00::a`, or `*` / `*6` for every node address of IPv4 / IPv6.
    public var description: String {
        switch self {
        case .ip(let ip): ip.description
        case .anyNodeAddress(.ipv4): "*"
        case .anyNodeAddress(.ipv6): "*6"
        }
    }
}

/// A frontend's identity: address, port and protocol. Printed (and persisted) as
/// `10.96.0.10:53/UDP`, `[fd00::a]:80/TCP`, `*:30080/TCP`, `[*6]:30080/TCP`.
public struct FrontendKey: Hashable, Sendable, Comparable, CustomStringConvertible, LosslessStringConvertible, Codable {
    public let address: FrontendAddress
    public let port: UInt16
    public let `protocol`: TransportProtocol

    public init(address: FrontendAddress, port: UInt16, protocol: TransportProtocol) {
        self.address = address
        self.port = port
        self.protocol = `protocol`
    }

    /// IPs before node ports, then by address, port and protocol.
    public static func < (lhs: FrontendKey, rhs: FrontendKey) -> Bool {
        (lhs.address, lhs.port, lhs.protocol) < (rhs.address, rhs.port, rhs.protocol)
    }

    public var description: String {
        let host = address.family == .ipv6 ? "[\(address)]" : address.description
        return "\(host):\(port)/\(`protocol`.rawValue)"
    }

    public init?(_ text: String) {
        guard let slash = text.lastIndex(of: "/"), let colon = text[..<slash].lastIndex(of: ":"),
            let transport = TransportProtocol(rawValue: String(text[text.index(after: slash)...])),
            let port = UInt16(text[text.index(after: colon)..<slash]), port > 0
        else { return nil }
        var host = text[..<colon]
        let bracketed = host.hasPrefix("[") && host.hasSuffix("]")
        if bracketed { host = host.dropFirst().dropLast() }
        let address: FrontendAddress
        switch host {
        case "*" where !bracketed: address = .anyNodeAddress(.ipv4)
        case "*6" where bracketed: address = .anyNodeAddress(.ipv6)
        default:
            guard let ip = IPAddress(String(host)), bracketed == (ip.family == .ipv6) else { return nil }
            address = .ip(ip)
        }
        self.init(address: address, port: port, protocol: transport)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = FrontendKey(text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a frontend: \"\(text)\""))
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
