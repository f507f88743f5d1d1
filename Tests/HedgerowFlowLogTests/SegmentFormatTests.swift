import Testing
@testable import HedgerowFlowLog

@Suite struct SegmentFormatTests {
    let header = SegmentFormat.BlockHeader(
        compressedLength: 1234, rawLength: 65536, flowCount: 300, minTimeNanoseconds: -5,
        maxTimeNanoseconds: 1_790_000_000_000_000_000, payloadCRC: 0xDEAD_BEEF)

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        SegmentFormat.encode(header, into: &writer)
        return writer.bytes
    }

    @Test func blockHeaderRoundTrips() throws {
        let bytes = encoded()
        #expect(bytes.count == SegmentFormat.blockHeaderSize)
        #expect(try bytes.withUnsafeBytes { try SegmentFormat.decodeBlockHeader($0) } == header)
    }

    @Test func everyFlippedBitOfABlockHeaderIsDetected() {
        let bytes = encoded()
        for bit in 0..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            #expect(throws: SegmentFormat.BlockProblem.self) {
                try damaged.withUnsafeBytes { try SegmentFormat.decodeBlockHeader($0) }
            }
        }
    }

    @Test func shortBlockHeaderIsReportedAsShort() {
        let bytes = Array(encoded().prefix(39))
        #expect(throws: SegmentFormat.BlockProblem.short) { try bytes.withUnsafeBytes { try SegmentFormat.decodeBlockHeader($0) } }
    }

    @Test func fileHeaderRoundTripsAndRejectsOtherFiles() throws {
        let fileHeader = SegmentFormat.FileHeader(firstTimeNanoseconds: 1_790_000_000_123_456_789, sequence: 77)
        let bytes = SegmentFormat.encode(fileHeader)
        #expect(bytes.count == SegmentFormat.fileHeaderSize)
        #expect(try bytes.withUnsafeBytes { try SegmentFormat.decodeFileHeader($0) } == fileHeader)
        var other = bytes
        other[0] = UInt8(ascii: "X")
        #expect(throws: SegmentFormat.HeaderProblem.badMagic) { try other.withUnsafeBytes { try SegmentFormat.decodeFileHeader($0) } }
        var future = bytes
        future[8] = 2
        #expect(throws: SegmentFormat.HeaderProblem.unsupportedVersion(2)) { try future.withUnsafeBytes { try SegmentFormat.decodeFileHeader($0) } }
        #expect(throws: SegmentFormat.HeaderProblem.short) { try bytes.prefix(31).withUnsafeBytes { try SegmentFormat.decodeFileHeader($0) } }
    }

    @Test func segmentNamesSortByTimeAndParseBack() {
        let early = SegmentName(firstTimeNanoseconds: 999, sequence: 2)
        let late = SegmentName(firstTimeNanoseconds: 1_790_000_000_000_000_000, sequence: 10)
        #expect(early.fileName == "flows-00000000000000000999-0000000002.hfl")
        #expect(early.fileName < late.fileName)
        #expect(SegmentName(fileName: late.fileName) == late)
        #expect(SegmentName(fileName: "flows-12.hfl") == nil)
        #expect(SegmentName(fileName: "notes.txt") == nil)
    }

    @Test func zlibRoundTripsAndRejectsDamage() throws {
        let raw = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let compressed = try Zlib.compress(raw, level: 6)
        #expect(compressed.count < raw.count)
        var output: [UInt8] = []
        try compressed.withUnsafeBytes { try Zlib.decompress($0, rawLength: raw.count, into: &output) }
        #expect(output == raw)
        #expect(throws: Zlib.Failure.self) {
            try compressed.withUnsafeBytes { try Zlib.decompress($0, rawLength: raw.count + 1, into: &output) }
        }
        #expect(Zlib.crc32(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
        #expect(Array("123456789".utf8).withUnsafeBytes { Zlib.crc32($0) } == 0xCBF4_3926)  // the CRC-32 check value
    }
}
