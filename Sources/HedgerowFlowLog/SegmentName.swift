/// Segment file names: `flows-<first flow time ns, 20 digits>-<sequence, 10 digits>.hfl`.
/// Zero padding makes name order time order; the sequence, which only grows, breaks ties and
/// says which segment was written last.
struct SegmentName: Comparable {
    var firstTimeNanoseconds: Int64
    var sequence: UInt64

    var fileName: String {
        "flows-\(Self.padded(UInt64(max(firstTimeNanoseconds, 0)), 20))-\(Self.padded(sequence, 10)).hfl"
    }

    init(firstTimeNanoseconds: Int64, sequence: UInt64) {
        self.firstTimeNanoseconds = firstTimeNanoseconds
        self.sequence = sequence
    }

    init?(fileName: String) {
        guard fileName.hasPrefix("flows-"), fileName.hasSuffix(".hfl") else { return nil }
        let parts = fileName.dropFirst(6).dropLast(4).split(separator: "-")
        guard parts.count == 2, let time = Int64(parts[0]), let sequence = UInt64(parts[1]) else { return nil }
        self.init(firstTimeNanoseconds: time, sequence: sequence)
    }

    /// Write order.
    static func < (lhs: Self, rhs: Self) -> Bool { lhs.sequence < rhs.sequence }

    private static func padded(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
