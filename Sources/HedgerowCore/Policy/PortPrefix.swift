/// A port prefix: the ports whose top `length` bits equal those of `port` (an LPM trie key).
public struct PortPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var port: UInt16
    /// 0...16; 0 is every port.
    public var length: UInt8

    public init(port: UInt16, length: UInt8) {
        precondition(length <= 16)
        self.port = length == 0 ? 0 : port & ~(UInt16.max >> length)
        self.length = length
    }

    public static let all = PortPrefix(port: 0, length: 0)

    public var range: ClosedRange<UInt16> {
        let span = length == 0 ? UInt16.max : (UInt16.max >> length)
        return port...(port | span)
    }

    public func contains(_ value: UInt16) -> Bool { range.contains(value) }

    /// Whether every port of `other` is in this prefix.
    public func contains(_ other: PortPrefix) -> Bool {
        other.length >= length && contains(other.port)
    }

    /// The fewest prefixes that cover exactly `range` (80...81 is 80/15; 1...65535 is 16 of them).
    public static func covering(_ range: ClosedRange<UInt16>) -> [PortPrefix] {
        var prefixes: [PortPrefix] = []
        var start = UInt32(range.lowerBound)
        let end = UInt32(range.upperBound)
        while start <= end {
            // The largest aligned block starting at `start` that does not pass `end`.
            var size: UInt32 = start == 0 ? 1 << 16 : start & (~start &+ 1)
            while start + size - 1 > end { size >>= 1 }
            prefixes.append(PortPrefix(port: UInt16(start), length: UInt8(16 - size.trailingZeroBitCount)))
            start += size
        }
        return prefixes
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.port, lhs.length) < (rhs.port, rhs.length) }

    public var description: String {
        switch length {
        case 0: "*"
        case 16: "\(port)"
        default: "\(range.lowerBound)-\(range.upperBound)"
        }
    }
}
