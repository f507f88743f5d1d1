/// The address family of an IP address.
public enum IPFamily: String, Hashable, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"

    public var description: String { rawValue }

    public static func < (lhs: IPFamily, rhs: IPFamily) -> Bool { lhs == .ipv4 && rhs == .ipv6 }
}

/// An IPv4 or IPv6 address (no zone), parsed and printed without the C library.
///
/// Parsing is strict: IPv4 is exactly four decimal parts without leading zeros (a leading zero
/// means octal to some parsers, so it is ambiguous); IPv6 follows RFC 4291 text form, including
/// `::` and a trailing dotted IPv4 part. Printing follows RFC 5952 (lowercase, shortest form),
/// with IPv4-mapped addresses as `::ffff:a.b.c.d`.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Host byte order value: 10.0.0.1 is 0x0A00_0001.
    case v4(UInt32)
    /// Host byte order value of the 128 bits, in two halves (see `IPv6Bits`).
    case v6(IPv6Bits)

    public static func v6(_ value: UInt128) -> IPAddress { .v6(IPv6Bits(value)) }

    public init?(_ text: String) {
        if text.contains(":") {
            guard let value = Self.parseIPv6(Substring(text)) else { return nil }
            self = .v6(IPv6Bits(value))
        } else {
            guard let value = Self.parseIPv4(Substring(text)) else { return nil }
            self = .v4(value)
        }
    }

    public var family: IPFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// Network byte order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value): (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let bits): (0..<16).map { UInt8(truncatingIfNeeded: bits.value >> (120 - 8 * $0)) }
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }

    public var description: String {
        switch self {
        case .v4(let value): Self.formatIPv4(value)
        case .v6(let bits): Self.formatIPv6(bits.value)
        }
    }

    // MARK: Parsing

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let octet = UInt8(part)
            else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    private static func parseIPv6(_ text: Substring) -> UInt128? {
        // Split around "::" (at most one), parse the groups on each side, zero-fill between.
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        guard let head = parseIPv6Groups(halves[0], allowsIPv4Tail: halves.count == 1) else { return nil }
        if halves.count == 1 {
            guard head.count == 8 else { return nil }
            return combine(head)
        }
        guard let tail = parseIPv6Groups(halves[1], allowsIPv4Tail: true), head.count + tail.count <= 7 else {
            return nil
        }
        return combine(head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail)
    }

    /// Colon-separated 16-bit groups (an empty string is no groups); a dotted IPv4 last part
    /// counts as two groups.
    private static func parseIPv6Groups(_ text: Substring, allowsIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowsIPv4Tail, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                groups += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
            } else {
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let group = UInt16(part, radix: 16)
                else { return nil }
                groups.append(group)
            }
        }
        return groups
    }

    private static func combine(_ groups: [UInt16]) -> UInt128 {
        groups.reduce(0) { $0 << 16 | UInt128($1) }
    }

    // MARK: Printing

    private static func formatIPv4(_ value: UInt32) -> String {
        (0..<4).map { String((value >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
    }

    private static func formatIPv6(_ value: UInt128) -> String {
        if value >> 32 == 0xFFFF {
            return "::ffff:" + formatIPv4(UInt32(truncatingIfNeeded: value))
        }
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
        // RFC 5952: compress the longest run of two or more zero groups, the first on a tie.
        var best: Range<Int>? = nil
        var start: Int? = nil
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if start == nil { start = index }
            } else if let runStart = start {
                if index - runStart >= 2 && index - runStart > (best?.count ?? 0) { best = runStart..<index }
                start = nil
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let run = best else { return hex.joined(separator: ":") }
        return hex[..<run.lowerBound].joined(separator: ":") + "::" + hex[run.upperBound...].joined(separator: ":")
    }
}

/// The 128 bits of an IPv6 address as two 64-bit halves.
///
/// Why not `UInt128`: Swift 6.3.1 at -Onone on x86_64 spills an enum payload of `UInt128` held
/// inside another struct to an 8-byte aligned stack slot and reloads it with an aligned 16-byte
/// instruction, which crashes (seen with `[IPPrefix: ...]` lookups in debug test builds).
/// Two `UInt64`s have no such alignment demand; `value` gives the number back for arithmetic.
public struct IPv6Bits: Hashable, Sendable, Comparable {
    public var high: UInt64
    public var low: UInt64

    public init(_ value: UInt128) {
        high = UInt64(truncatingIfNeeded: value >> 64)
        low = UInt64(truncatingIfNeeded: value)
    }

    public var value: UInt128 { UInt128(high) << 64 | UInt128(low) }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}
