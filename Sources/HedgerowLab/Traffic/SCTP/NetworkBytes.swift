/// Big-endian reading and writing for the packet codecs (IPv4 header, SCTP). A read past the
/// end throws an error naming the field, so a truncated packet explains itself.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let what: String  // "SCTP packet", "INIT chunk": the start of every error

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
        offset = 0
    }

    var remaining: Int { bytes.count - offset }

    mutating func uint8(_ field: String) throws -> UInt8 { try take(1, field)[0] }

    mutating func uint16(_ field: String) throws -> UInt16 {
        let b = try take(2, field)
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    mutating func uint32(_ field: String) throws -> UInt32 {
        let b = try take(4, field)
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func bytes(_ count: Int, _ field: String) throws -> [UInt8] { try take(count, field) }

    mutating func skip(_ count: Int) { offset = min(bytes.count, offset + count) }

    /// A copy, indexed from 0 (a slice would keep the packet's indices).
    private mutating func take(_ count: Int, _ field: String) throws -> [UInt8] {
        guard count >= 0, remaining >= count else {
            throw PacketDecodingError("\(what): \(field) needs \(count) bytes at offset \(offset), only \(max(0, remaining)) left")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt16) { append(contentsOf: [UInt8(value >> 8), UInt8(value & 0xFF)]) }

    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    /// Zero bytes up to the next multiple of four (SCTP chunks and parameters are 4-byte aligned).
    mutating func padToFourBytes() { append(contentsOf: repeatElement(0, count: (4 - count % 4) % 4)) }
}

/// A packet that is not what it claims to be; the description names the packet part and field.
public struct PacketDecodingError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
