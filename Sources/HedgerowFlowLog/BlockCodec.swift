import HedgerowCore

/// Collects flows into the raw payload of the next block, encoding each as it arrives so the
/// block's raw size is known for the size limit.
struct BlockBuilder {
    private var raw = ByteWriter(capacity: 72 << 10)
    private var encoder = FlowRecordEncoder()
    private(set) var flowCount = 0
    private var minTime = Int64.max
    private var maxTime = Int64.min

    var rawByteCount: Int { raw.bytes.count }
    var isEmpty: Bool { flowCount == 0 }
    var minTimeNanoseconds: Int64 { minTime }

    mutating func add(_ flow: Flow) {
        encoder.append(flow, to: &raw)
        let time = flow.time.nanosecondsSinceEpoch
        minTime = min(minTime, time)
        maxTime = max(maxTime, time)
        flowCount += 1
    }

    /// The finished block (header and compressed payload); the builder starts over.
    mutating func seal(level: Int32) throws(Zlib.Failure) -> (bytes: [UInt8], header: SegmentFormat.BlockHeader) {
        let compressed = try Zlib.compress(raw.bytes, level: level)
        let header = SegmentFormat.BlockHeader(
            compressedLength: UInt32(compressed.count), rawLength: UInt32(raw.bytes.count),
            flowCount: UInt32(flowCount), minTimeNanoseconds: minTime, maxTimeNanoseconds: maxTime,
            payloadCRC: compressed.withUnsafeBytes { Zlib.crc32($0) })
        var block = ByteWriter(capacity: SegmentFormat.blockHeaderSize + compressed.count)
        SegmentFormat.encode(header, into: &block)
        block.bytes.append(contentsOf: compressed)
        raw.bytes.removeAll(keepingCapacity: true)
        encoder.startBlock()
        flowCount = 0
        minTime = .max
        maxTime = .min
        return (block.bytes, header)
    }
}

/// Reads a block's payload back into flows.
enum BlockDecoder {
    struct Failure: Error {
        var reason: String
    }

    /// Checks the payload CRC, inflates it and decodes `flowCount` records, handing each to `body`.
    static func decode(
        payload: [UInt8], header: SegmentFormat.BlockHeader, decoder: inout FlowRecordDecoder,
        scratch: inout [UInt8], _ body: (Flow) -> Void
    ) throws(Failure) {
        let crc = payload.withUnsafeBytes { Zlib.crc32($0) }
        guard crc == header.payloadCRC else { throw Failure(reason: "payload CRC mismatch") }
        do {
            try payload.withUnsafeBytes { bytes in
                try Zlib.decompress(bytes, rawLength: Int(header.rawLength), into: &scratch)
            }
        } catch let failure as Zlib.Failure {
            throw Failure(reason: failure.description)
        } catch {
            throw Failure(reason: "\(error)")
        }
        do {
            decoder.startBlock()
            try scratch.withUnsafeBytes { bytes in
                var reader = ByteReader(bytes)
                for _ in 0..<header.flowCount {
                    let range = try reader.lengthPrefixedRange()
                    body(try decoder.decode(bytes, range))
                }
                guard reader.isAtEnd else { throw ByteReader.Malformed(reason: "bytes after the last record") }
            }
        } catch let malformed as ByteReader.Malformed {
            throw Failure(reason: "bad record: \(malformed.reason)")
        } catch {
            throw Failure(reason: "record runs past the end of the block")
        }
    }
}
