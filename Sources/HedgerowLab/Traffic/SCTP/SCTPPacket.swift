/// An SCTP packet (RFC 9260 section 3): the 12-byte common header and its chunks. The lab
/// only speaks the first exchange of an association (INIT, INIT ACK, ABORT), which is enough to
/// tell whether a request and its reply both got through, as a TCP connect does.
public struct SCTPPacket: Equatable, Sendable {
    public static let ipProtocol: Int32 = 132
    static let commonHeaderLength = 12

    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var verificationTag: UInt32
    public var chunks: [SCTPChunk]

    public init(sourcePort: UInt16, destinationPort: UInt16, verificationTag: UInt32, chunks: [SCTPChunk]) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.verificationTag = verificationTag
        self.chunks = chunks
    }

    /// The bytes on the wire. The CRC32c goes in least significant byte first: RFC 9260
    /// appendix A's reference code byte-swaps it, and Linux stores it as a little-endian word.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(sourcePort)
        bytes.appendBigEndian(destinationPort)
        bytes.appendBigEndian(verificationTag)
        bytes.append(contentsOf: [0, 0, 0, 0])  // checksum, computed over the packet with zeros here
        for chunk in chunks { chunk.encode(into: &bytes) }
        let crc = CRC32C.checksum(bytes)
        bytes.replaceSubrange(8..<12, with: [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
        return bytes
    }

    /// Parses what follows the IP header. A wrong checksum is an error: RFC 9260 says to
    /// discard such a packet, and a probe must never count a corrupted reply as an answer.
    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, what: "SCTP packet")
        sourcePort = try reader.uint16("source port")
        destinationPort = try reader.uint16("destination port")
        verificationTag = try reader.uint32("verification tag")
        let stored = try reader.bytes(4, "checksum")
        var zeroed = bytes
        zeroed.replaceSubrange(8..<12, with: [0, 0, 0, 0])
        let crc = CRC32C.checksum(zeroed)
        let storedValue = stored.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard storedValue == crc else {
            throw PacketDecodingError("SCTP packet: checksum 0x\(String(storedValue, radix: 16)) does not match the CRC32c 0x\(String(crc, radix: 16)) of its \(bytes.count) bytes")
        }
        chunks = []
        while reader.remaining > 0 {
            chunks.append(try SCTPChunk(decoding: &reader, index: chunks.count))
        }
        guard !chunks.isEmpty else { throw PacketDecodingError("SCTP packet: no chunks after the common header") }
    }
}
