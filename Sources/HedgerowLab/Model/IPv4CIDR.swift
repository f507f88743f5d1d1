/// An IPv4 prefix such as `10.244.1.0/24`, kept in its canonical form (host bits must be zero,
/// so that `10.244.1.5/24` in a lab file is reported instead of silently meaning something else).
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible, Codable {
    public let address: UInt32
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (0...32).contains(length),
              let address = IPv4CIDR.parseAddress(String(parts[0]))
        else { return nil }
        let mask = IPv4CIDR.mask(length)
        guard address & ~mask == 0 else { return nil }
        self.address = address
        self.prefixLength = length
    }

    public var description: String { "\(IPv4CIDR.format(address))/\(prefixLength)" }
    public var netmask: UInt32 { IPv4CIDR.mask(prefixLength) }

    public func contains(_ ip: UInt32) -> Bool { ip & netmask == address }

    public func overlaps(_ other: IPv4CIDR) -> Bool {
        let shorter = min(prefixLength, other.prefixLength)
        let mask = IPv4CIDR.mask(shorter)
        return address & mask == other.address & mask
    }

    /// Dotted-quad parsing without leading zeros, which some tools read as octal.
    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII), octet.allSatisfy(\.isNumber),
                  octet == "0" || !octet.hasPrefix("0"), let byte = UInt32(octet), byte <= 255
            else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = IPv4CIDR(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad CIDR \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
