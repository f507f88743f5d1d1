/// An IP prefix ("10.0.0.0/8", "fd00::/64"), stored with the host bits cleared.
public struct IPPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let address: IPAddress
    public let length: UInt8

    /// Parses CIDR notation. Host bits set (10.0.0.1/8) are refused, as Kubernetes refuses them
    /// in ipBlock; a bare address is refused too (say /32 or /128).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])),
            let length = UInt8(parts[1]), parts[1].first != "+", Int(length) <= address.family.bitCount
        else { return nil }
        guard let prefix = IPPrefix(address: address, length: length), prefix.address == address else { return nil }
        self = prefix
    }

    /// The prefix of `length` bits containing `address` (host bits cleared).
    public init?(address: IPAddress, length: UInt8) {
        guard Int(length) <= address.family.bitCount else { return nil }
        switch address {
        case .v4(let value):
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length))
            self.address = .v4(value & mask)
        case .v6(let bits):
            let mask: UInt128 = length == 0 ? 0 : ~UInt128(0) << (128 - UInt128(length))
            self.address = .v6(bits.value & mask)
        }
        self.length = length
    }

    /// The single-address prefix of `address` (/32 or /128).
    public init(host address: IPAddress) {
        self.init(address: address, length: UInt8(address.family.bitCount))!
    }

    public var family: IPFamily { address.family }

    public func contains(_ other: IPAddress) -> Bool {
        other.family == family && IPPrefix(address: other, length: length)?.address == address
    }

    /// Whether `other` lies entirely inside this prefix.
    public func contains(_ other: IPPrefix) -> Bool { other.length >= length && contains(other.address) }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.address, lhs.length) < (rhs.address, rhs.length) }

    public var description: String { "\(address)/\(length)" }
}

extension IPFamily {
    public var bitCount: Int { self == .ipv4 ? 32 : 128 }
}
