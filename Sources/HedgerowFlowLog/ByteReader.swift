/// Reads what `ByteWriter` wrote from a buffer, never past its end: every read that would
/// overrun throws `Truncated`, which the callers turn into an error naming the file and offset.
struct ByteReader {
    struct Truncated: Error {}
    struct Malformed: Error {
        var reason: String
    }

    let buffer: UnsafeRawBufferPointer
    private(set) var offset: Int
    let end: Int

    init(_ buffer: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.buffer = buffer
        self.offset = start
        self.end = end ?? buffer.count
    }

    var isAtEnd: Bool { offset >= end }

    mutating func byte() throws(Truncated) -> UInt8 {
        guard offset < end else { throw Truncated() }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func varint() throws(Truncated) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            // A tenth byte may only carry the top bit; anything else is not a 64-bit value.
            guard shift < 64 else { throw Truncated() }
            result |= UInt64(next & 0x7F) << shift
            if next < 0x80 { return result }
            shift += 7
        }
    }

    mutating func signedVarint() throws(Truncated) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func littleEndian<T: FixedWidthInteger>(_: T.Type = T.self) throws(Truncated) -> T {
        let size = MemoryLayout<T>.size
        guard end - offset >= size else { throw Truncated() }
        defer { offset += size }
        return T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The range of a length-prefixed field, which the reader then skips.
    mutating func lengthPrefixedRange() throws(Truncated) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw Truncated() }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }

    mutating func skip(_ count: Int) throws(Truncated) {
        guard count >= 0, end - offset >= count else { throw Truncated() }
        offset += count
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }
}

extension ByteReader {
    func bigEndian128(at range: Range<Int>) -> UInt128 {
        var value: UInt128 = 0
        for index in range { value = value << 8 | UInt128(buffer[index]) }
        return value
    }
}
