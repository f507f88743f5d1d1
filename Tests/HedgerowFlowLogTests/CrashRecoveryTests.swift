import Foundation
import HedgerowCore
import Testing
@testable import HedgerowFlowLog

/// A crash mid-write leaves a torn last block; bit rot flips bytes anywhere. Neither may make
/// the log unusable or lose a complete block that is intact.
@Suite struct CrashRecoveryTests {
    let blockFlows = 20

    func options(segmentBytes: Int = 16 << 20) -> FlowLogOptions {
        var options = FlowLogOptions()
        options.blockMaxFlows = blockFlows
        options.maxSegmentBytes = segmentBytes
        return options
    }

    func flows(_ count: Int, from second: Int64 = 1_000) -> [Flow] {
        (0..<count).map { simpleFlow(seconds: second + Int64($0), port: UInt16($0 + 1)) }
    }

    /// Writes 5 full blocks to one segment and returns the flows and the segment's block offsets.
    func writeFiveBlocks(_ directory: TemporaryDirectory) throws -> (flows: [Flow], path: String, blocks: [SegmentIndex.Block]) {
        let written = flows(5 * blockFlows)
        let log = try FlowLog.open(directory: directory.path, options: options())
        try log.append(written)
        try log.close()
        let path = try #require(try directory.segmentPaths().first)
        let index = try SegmentScanner.scan(path: path, name: SegmentName(fileName: String(path.split(separator: "/").last!))!, verifyPayloads: true)
        #expect(index.blocks.count == 5)
        return (written, path, index.blocks)
    }

    @Test(arguments: [1, 20, 39, 40, 41, 100, -1])
    func tornLastBlockIsTrimmed(cutInsideLastBlock: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (written, path, blocks) = try writeFiveBlocks(directory)
        let lastOffset = blocks[4].offset
        let size = try fileSize(path)
        // -1: all but the final byte. Cuts land in the block header (< 40) and in the payload.
        let cut = cutInsideLastBlock < 0 ? size - 1 : lastOffset + cutInsideLastBlock
        try #require(cut < size)
        try truncateFile(path, to: cut)

        // A reader before repair sees the torn tail and reads the complete blocks.
        let before = try readAll(directory.path)
        #expect(before.flows == Array(written.prefix(4 * blockFlows)))
        #expect(before.stats.tornTails == 1)

        let log = try FlowLog.open(directory: directory.path, options: options())
        #expect(log.recovery.truncatedBlocks == 1)
        #expect(log.recovery.truncatedBytes == cut - lastOffset)
        #expect(log.recovery.notes.count == 1 && log.recovery.notes[0].contains(path))
        #expect(try fileSize(path) == lastOffset)

        // The repaired log takes new flows after the kept ones.
        let more = flows(blockFlows, from: 50_000)
        try log.append(more)
        try log.close()
        let after = try readAll(directory.path)
        #expect(after.flows == Array(written.prefix(4 * blockFlows)) + more)
        #expect(after.stats.tornTails == 0 && after.stats.corruptBlocks == 0)
    }

    @Test func garbageAfterTheLastBlockIsTrimmed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (written, path, _) = try writeFiveBlocks(directory)
        let size = try fileSize(path)
        try appendBytes((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) }, to: path)

        let log = try FlowLog.open(directory: directory.path, options: options())
        #expect(log.recovery.truncatedBlocks == 1 && log.recovery.truncatedBytes == 300)
        #expect(try fileSize(path) == size)
        try log.close()
        #expect(try readAll(directory.path).flows == written)
    }

    @Test func corruptPayloadOfTheLastBlockIsTrimmed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (written, path, blocks) = try writeFiveBlocks(directory)
        try flipByte(at: blocks[4].offset + SegmentFormat.blockHeaderSize + 5, in: path)

        let log = try FlowLog.open(directory: directory.path, options: options())
        #expect(log.recovery.truncatedBlocks == 1)
        #expect(try fileSize(path) == blocks[4].offset)
        #expect(try readAll(directory.path).flows == Array(written.prefix(4 * blockFlows)))
    }

    @Test func newestSegmentWithATornFileHeaderIsRemoved() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (written, _, _) = try writeFiveBlocks(directory)
        let torn = directory.path + "/" + SegmentName(firstTimeNanoseconds: 9_000_000_000_000, sequence: 2).fileName
        try writeBytes(Array(SegmentFormat.fileMagic.prefix(5)), to: torn)

        let log = try FlowLog.open(directory: directory.path, options: options())
        #expect(log.recovery.removedSegments == 1)
        #expect(try directory.segmentPaths().count == 1)
        try log.append(flows(3, from: 90_000))
        try log.close()
        #expect(try readAll(directory.path).flows == written + flows(3, from: 90_000))
    }

    @Test func flippedByteInAMiddleBlockSkipsOnlyThatBlock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Several segments; damage the payload of a middle block of the first (older) one.
        let written = flows(20 * blockFlows)
        let log = try FlowLog.open(directory: directory.path, options: options(segmentBytes: 2048))
        try log.append(written)
        try log.close()
        let paths = try directory.segmentPaths()
        try #require(paths.count >= 2)
        let oldest = try SegmentScanner.scan(path: paths[0], name: SegmentName(fileName: String(paths[0].split(separator: "/").last!))!, verifyPayloads: false)
        try #require(oldest.blocks.count >= 3)
        let victim = oldest.blocks[1]
        try flipByte(at: victim.offset + SegmentFormat.blockHeaderSize + Int(victim.header.compressedLength) / 2, in: paths[0])

        let (read, stats) = try readAll(directory.path)
        #expect(stats.corruptBlocks == 1)
        #expect(stats.problems.count == 1 && stats.problems[0].contains(paths[0]) && stats.problems[0].contains("offset \(victim.offset)"))
        var expected = written
        expected.removeSubrange(blockFlows..<(2 * blockFlows))
        #expect(read == expected)

        // Opening the writer leaves older segments alone.
        let reopened = try FlowLog.open(directory: directory.path, options: options(segmentBytes: 2048))
        #expect(reopened.recovery.isClean)
    }

    @Test func flippedBlockHeaderLosesTheRestOfThatSegmentOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let written = flows(20 * blockFlows)
        let log = try FlowLog.open(directory: directory.path, options: options(segmentBytes: 2048))
        try log.append(written)
        try log.close()
        let paths = try directory.segmentPaths()
        let oldest = try SegmentScanner.scan(path: paths[0], name: SegmentName(fileName: String(paths[0].split(separator: "/").last!))!, verifyPayloads: false)
        try #require(oldest.blocks.count >= 3)
        // A length field: without the header CRC the reader would follow it anywhere.
        try flipByte(at: oldest.blocks[1].offset + 5, in: paths[0])

        let (read, stats) = try readAll(directory.path)
        #expect(stats.corruptBlocks == 1)
        var expected = written
        expected.removeSubrange(blockFlows..<(oldest.blocks.count * blockFlows))
        #expect(read == expected)
    }
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
}

