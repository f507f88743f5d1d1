import HedgerowCore

/// Addresses as the datapath stores them: 16 bytes in network order, IPv4 as IPv4-mapped IPv6
/// (`::ffff:a.b.c.d`), so that both families share every map and the flow event.
enum ABIAddress {
    typealias Bytes = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                       UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    /// Bits an IPv4 prefix is offset by in a 128-bit key.
    static let ipv4MappedPrefixLength: UInt32 = 96

    static func bytes(_ address: IPAddress) -> Bytes {
        var result: Bytes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let value: UInt128
        switch address {
        case .v4(let v4): value = UInt128(0xFFFF) << 32 | UInt128(v4)
        case .v6(let v6): value = v6.value
        }
        withUnsafeMutableBytes(of: &result) { buffer in
            for index in 0..<16 { buffer[index] = UInt8(truncatingIfNeeded: value >> (120 - 8 * UInt128(index))) }
        }
        return result
    }

    static func value(_ bytes: Bytes) -> UInt128 {
        withUnsafeBytes(of: bytes) { buffer in buffer.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
    }

    static func isIPv4Mapped(_ value: UInt128) -> Bool { value >> 32 == 0xFFFF }

    /// The address in `bytes`; `ipv4` says how to read it (nil: IPv4 exactly when it is IPv4-mapped).
    static func address(_ bytes: Bytes, ipv4: Bool? = nil) -> IPAddress {
        let value = value(bytes)
        if ipv4 ?? isIPv4Mapped(value) { return .v4(UInt32(truncatingIfNeeded: value)) }
        return .v6(value)
    }

    /// A key prefix length (0...128) for `prefix`.
    static func prefixLength(_ prefix: IPPrefix) -> UInt32 {
        prefix.family == .ipv4 ? ipv4MappedPrefixLength + UInt32(prefix.length) : UInt32(prefix.length)
    }

    /// The prefix a key holds; IPv4 when the key lies inside `::ffff:0:0/96`.
    static func prefix(_ bytes: Bytes, length: UInt32) -> IPPrefix? {
        let value = value(bytes)
        if length >= ipv4MappedPrefixLength, isIPv4Mapped(value) {
            return IPPrefix(address: .v4(UInt32(truncatingIfNeeded: value)), length: UInt8(length - ipv4MappedPrefixLength))
        }
        guard length <= 128 else { return nil }
        return IPPrefix(address: .v6(value), length: UInt8(length))
    }
}
