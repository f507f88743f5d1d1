import CZlib

/// The on-disk layout of a segment file (all integers little-endian):
///
///     file header (32 bytes): magic "HFLOWSEG", version u16, reserved u16, header size u32,
///                             first flow time ns i64, segment sequence u64
///     block*:  block header (40 bytes): magic "HFBK", compressed length u32, raw length u32,
///                             flow count u32, min time ns i64, max time ns i64,
///                             CRC-32 of the compressed payload u32, CRC-32 of the 36 bytes before it u32
///              payload: zlib stream (compress2) of `flow count` records (FlowRecordEncoder)
///
/// The header CRC lets a reader trust the lengths before following them; the payload CRC
/// catches torn and flipped bytes before zlib sees them. Times are min/max, not first/last,
/// so index skipping stays correct for blocks whose flows are not perfectly sorted.
enum SegmentFormat {
    static let fileMagic: [UInt8] = Array("HFLOWSEG".utf8)
    static let version: UInt16 = 1
    static let fileHeaderSize = 32
    static let blockMagic: UInt32 = 0x4B42_4648  // "HFBK" read as little-endian
    static let blockHeaderSize = 40
    /// Bounds what a corrupt header can make a reader allocate.
    static let maxBlockBytes: UInt32 = 64 << 20

    struct FileHeader: Equatable {
        var firstTimeNanoseconds: Int64
        var sequence: UInt64
    }

    struct BlockHeader: Equatable {
        var compressedLength: UInt32
        var rawLength: UInt32
        var flowCount: UInt32
        var minTimeNanoseconds: Int64
        var maxTimeNanoseconds: Int64
        var payloadCRC: UInt32

        var totalSize: Int { SegmentFormat.blockHeaderSize + Int(compressedLength) }
    }

    static func encode(_ header: FileHeader) -> [UInt8] {
        var writer = ByteWriter(capacity: fileHeaderSize)
        writer.bytes.append(contentsOf: fileMagic)
        writer.littleEndian(version)
        writer.littleEndian(UInt16(0))
        writer.littleEndian(UInt32(fileHeaderSize))
        writer.littleEndian(header.firstTimeNanoseconds)
        writer.littleEndian(header.sequence)
        return writer.bytes
    }

    enum HeaderProblem: Error, Equatable {
        case short
        case badMagic
        case unsupportedVersion(UInt16)
        case badHeaderSize(UInt32)
    }

    static func decodeFileHeader(_ bytes: UnsafeRawBufferPointer) throws(HeaderProblem) -> FileHeader {
        guard bytes.count >= fileHeaderSize else { throw .short }
        guard bytes.prefix(8).elementsEqual(fileMagic) else { throw .badMagic }
        var reader = ByteReader(bytes, from: 8)
        do {
            let version = try reader.littleEndian(UInt16.self)
            guard version == Self.version else { throw HeaderProblem.unsupportedVersion(version) }
            _ = try reader.littleEndian(UInt16.self)
            let size = try reader.littleEndian(UInt32.self)
            guard size == fileHeaderSize else { throw HeaderProblem.badHeaderSize(size) }
            return FileHeader(
                firstTimeNanoseconds: try reader.littleEndian(), sequence: try reader.littleEndian())
        } catch let problem as HeaderProblem {
            throw problem
        } catch {
            throw .short
        }
    }

    static func encode(_ header: BlockHeader, into writer: inout ByteWriter) {
        let start = writer.bytes.count
        writer.littleEndian(blockMagic)
        writer.littleEndian(header.compressedLength)
        writer.littleEndian(header.rawLength)
        writer.littleEndian(header.flowCount)
        writer.littleEndian(header.minTimeNanoseconds)
        writer.littleEndian(header.maxTimeNanoseconds)
        writer.littleEndian(header.payloadCRC)
        let crc = writer.bytes[start...].withUnsafeBytes { Zlib.crc32($0) }
        writer.littleEndian(crc)
    }

    enum BlockProblem: Error, Equatable {
        case short
        case badMagic
        case badHeaderCRC
        case badLengths
    }

    /// Validates magic, header CRC and length bounds; the payload is checked separately.
    static func decodeBlockHeader(_ bytes: UnsafeRawBufferPointer) throws(BlockProblem) -> BlockHeader {
        guard bytes.count >= blockHeaderSize else { throw .short }
        var reader = ByteReader(bytes)
        do {
            guard try reader.littleEndian(UInt32.self) == blockMagic else { throw BlockProblem.badMagic }
            let storedCRC = bytes.loadUnaligned(fromByteOffset: blockHeaderSize - 4, as: UInt32.self).littleEndian
            guard Zlib.crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<(blockHeaderSize - 4)])) == storedCRC else {
                throw BlockProblem.badHeaderCRC
            }
            let header = BlockHeader(
                compressedLength: try reader.littleEndian(), rawLength: try reader.littleEndian(),
                flowCount: try reader.littleEndian(), minTimeNanoseconds: try reader.littleEndian(),
                maxTimeNanoseconds: try reader.littleEndian(), payloadCRC: try reader.littleEndian())
            guard header.compressedLength <= maxBlockBytes, header.rawLength <= maxBlockBytes,
                header.minTimeNanoseconds <= header.maxTimeNanoseconds
            else { throw BlockProblem.badLengths }
            return header
        } catch let problem as BlockProblem {
            throw problem
        } catch {
            throw .short
        }
    }
}
