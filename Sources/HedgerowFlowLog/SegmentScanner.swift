/// What a scan of a segment's block headers found: the in-memory time index of one segment.
struct SegmentIndex {
    struct Block {
        var offset: Int
        var header: SegmentFormat.BlockHeader
        /// Whether the payload CRC matched; nil when the scan did not read payloads.
        var payloadIntact: Bool?
    }

    var path: String
    var name: SegmentName
    var blocks: [Block]
    /// Bytes from the start of the file through the last block whose header was sound.
    var soundLength: Int
    var fileSize: Int
    /// Why the scan stopped before the end of the file, with the offset; nil if it reached it.
    var stop: (offset: Int, reason: String)?

    var minTime: Int64? { blocks.map(\.header.minTimeNanoseconds).min() }
    var maxTime: Int64? { blocks.map(\.header.maxTimeNanoseconds).max() }
}

/// Builds a segment's index by reading the block headers one after another (one pread of 40
/// bytes per block, payloads skipped unless asked to verify them). This is cheap enough that the
/// index lives in memory and no sidecar file has to be kept consistent with the segments.
enum SegmentScanner {
    static func scan(path: String, name: SegmentName, verifyPayloads: Bool) throws(FlowLogError) -> SegmentIndex {
        let file = try PosixFile.openForReading(path)
        let fileSize = try file.size()
        var buffer: [UInt8] = []
        var index = SegmentIndex(path: path, name: name, blocks: [], soundLength: 0, fileSize: fileSize, stop: nil)

        try file.read(at: 0, count: SegmentFormat.fileHeaderSize, into: &buffer)
        do {
            _ = try buffer.withUnsafeBytes { try SegmentFormat.decodeFileHeader($0) }
        } catch {
            index.stop = (0, "bad file header (\(error))")
            return index
        }
        var offset = SegmentFormat.fileHeaderSize
        index.soundLength = offset
        while offset < fileSize {
            try file.read(at: offset, count: SegmentFormat.blockHeaderSize, into: &buffer)
            let header: SegmentFormat.BlockHeader
            do {
                header = try buffer.withUnsafeBytes { try SegmentFormat.decodeBlockHeader($0) }
            } catch {
                index.stop = (offset, "bad block header (\(error))")
                return index
            }
            guard offset + header.totalSize <= fileSize else {
                index.stop = (offset, "block of \(header.totalSize) bytes runs past the end of the file (\(fileSize) bytes)")
                return index
            }
            var intact: Bool?
            if verifyPayloads {
                try file.read(at: offset + SegmentFormat.blockHeaderSize, count: Int(header.compressedLength), into: &buffer)
                intact = buffer.withUnsafeBytes { Zlib.crc32($0) } == header.payloadCRC
            }
            index.blocks.append(SegmentIndex.Block(offset: offset, header: header, payloadIntact: intact))
            offset += header.totalSize
            index.soundLength = offset
        }
        return index
    }
}
