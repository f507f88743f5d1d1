import HedgerowCore
import Testing
@testable import HedgerowFlowLog

@Suite struct FlowLogTests {
    /// Small blocks so that tests have many of them.
    func options(blockFlows: Int = 10, segmentBytes: Int = 16 << 20, totalBytes: Int = 1 << 30) -> FlowLogOptions {
        var options = FlowLogOptions()
        options.blockMaxFlows = blockFlows
        options.maxSegmentBytes = segmentBytes
        options.maxTotalBytes = totalBytes
        return options
    }

    func flows(count: Int, startSecond: Int64 = 1_000, perSecond: Int = 1) -> [Flow] {
        (0..<count).map { index in
            simpleFlow(seconds: startSecond + Int64(index / perSecond), nanos: Int32(index % perSecond), port: UInt16(index % 60000))
        }
    }

    @Test func writtenFlowsReadBackInOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let written = flows(count: 1005) + [fullyPopulatedFlow(), minimalFlow(nanoseconds: 1_790_000_001_000_000_000)]
        let log = try FlowLog.open(directory: directory.path, options: options(blockFlows: 100))
        try log.append(written)
        try log.close()
        #expect(log.stats.flowsWritten == written.count)
        #expect(log.stats.blocksWritten == 11)

        let (read, stats) = try readAll(directory.path)
        #expect(read == written)
        #expect(stats.blocksRead == 11 && stats.corruptBlocks == 0 && stats.tornTails == 0)
        #expect(stats.flowsDecoded == written.count && stats.flowsMatched == written.count)
    }

    @Test func unflushedFlowsStayInMemoryUntilFlush() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = try FlowLog.open(directory: directory.path, options: options(blockFlows: 100))
        try log.append(flows(count: 150))
        #expect(try readAll(directory.path).flows.count == 100)
        try log.flush()
        #expect(try readAll(directory.path).flows.count == 150)
    }

    @Test func indexSkipsBlocksOutsideTheQuery() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 100 blocks of 10 flows, one flow per second: block b spans seconds 1000+10b ... 1009+10b.
        let log = try FlowLog.open(directory: directory.path, options: options(blockFlows: 10))
        try log.append(flows(count: 1000))
        try log.close()

        let (read, stats) = try readAll(
            directory.path, since: FlowTimestamp(seconds: 1_420), until: FlowTimestamp(seconds: 1_430))
        #expect(read.map(\.time.seconds) == Array(1_420..<1_430))
        #expect(stats.blocksRead == 1)
        #expect(stats.blocksSkippedByIndex == 99)
        #expect(stats.flowsDecoded == 10)

        // Bounds: since is inclusive, until exclusive, down to the nanosecond.
        let edge = try readAll(directory.path, since: FlowTimestamp(seconds: 1_425), until: FlowTimestamp(seconds: 1_435))
        #expect(edge.flows.map(\.time.seconds) == Array(1_425..<1_435))
        #expect(edge.stats.blocksRead == 2)
    }

    @Test func filterSelectsFlows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let written = (0..<200).map { simpleFlow(seconds: Int64($0), verdict: $0 % 3 == 0 ? .dropped : .forwarded) }
        let log = try FlowLog.open(directory: directory.path, options: options(blockFlows: 32))
        try log.append(written)
        try log.close()
        let (read, stats) = try readAll(directory.path, where: { $0.verdict == .dropped })
        #expect(read == written.filter { $0.verdict == .dropped })
        #expect(stats.flowsMatched == read.count && stats.flowsDecoded == 200)
    }

    @Test func overlappingBlocksComeOutInTimeOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Blocks whose time ranges interleave (late flows from another CPU), and one block out of order inside.
        let log = try FlowLog.open(directory: directory.path, options: options(blockFlows: 5))
        let batches: [[Int64]] = [[10, 20, 30, 40, 50], [15, 25, 35, 45, 55], [5, 60, 1, 70, 80], [50, 50, 50, 90, 100]]
        var port: UInt16 = 0
        var written: [Flow] = []
        for batch in batches {
            for second in batch {
                port += 1
                written.append(simpleFlow(seconds: second, port: port))
            }
        }
        try log.append(written)
        try log.close()
        let (read, _) = try readAll(directory.path)
        #expect(read.count == written.count)
        #expect(Set(read.map { $0.l4?.destinationPort }) == Set(written.map { $0.l4?.destinationPort }))
        #expect(read.map(\.time.seconds) == written.map(\.time.seconds).sorted())
        // Equal times keep write order: the 50 of the first block, then the three of the last.
        let fifties = read.filter { $0.time.seconds == 50 }.compactMap { $0.l4?.destinationPort }
        #expect(fifties == [5, 16, 17, 18])
    }

    @Test func segmentsRotateBySize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let written = flows(count: 3000)
        let log = try FlowLog.open(directory: directory.path, options: options(blockFlows: 50, segmentBytes: 4096))
        try log.append(written)
        try log.close()
        let paths = try directory.segmentPaths()
        #expect(paths.count > 3)
        #expect(log.stats.segmentsCreated == paths.count)
        // Each segment stops growing at the first block that takes it over the size.
        for path in paths.dropLast() { #expect(try fileSize(path) >= 4096) }
        let names = paths.map { SegmentName(fileName: String($0.split(separator: "/").last!))! }
        #expect(names.map(\.sequence) == Array(1...UInt64(paths.count)))
        #expect(names.map(\.firstTimeNanoseconds) == names.map(\.firstTimeNanoseconds).sorted())
        #expect(try readAll(directory.path).flows == written)

        // Reopening appends to the newest segment if it has room, else starts a new one, never reusing a name.
        let reopened = try FlowLog.open(directory: directory.path, options: options(blockFlows: 50, segmentBytes: 4096))
        try reopened.append(flows(count: 100, startSecond: 10_000))
        try reopened.close()
        #expect(try readAll(directory.path).flows.count == 3100)
    }

    @Test func retentionBySizeDeletesOldestFirst() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let written = flows(count: 5000)
        let log = try FlowLog.open(directory: directory.path, options: options(blockFlows: 50, segmentBytes: 4096, totalBytes: 16384))
        try log.append(written)
        try log.close()
        #expect(log.stats.segmentsDeleted > 0)
        #expect(log.totalBytes <= 16384 + 4096 + 2048)
        let read = try readAll(directory.path).flows
        // What is left is the newest flows, complete: a suffix of what was written.
        #expect(!read.isEmpty && read.count < written.count)
        #expect(read == Array(written.suffix(read.count)))
        let sequences = try directory.segmentPaths().map { SegmentName(fileName: String($0.split(separator: "/").last!))!.sequence }
        #expect(sequences.last == UInt64(log.stats.segmentsCreated))
        #expect(sequences == Array(sequences.first!...sequences.last!))
    }

    @Test func retentionByAgeDeletesOldSegments() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let now: Int64 = 100_000 * 1_000_000_000
        var options = options(blockFlows: 50, segmentBytes: 4096)
        options.maxAge = .seconds(3600)
        options.clock = { now }
        let old = flows(count: 1000, startSecond: 100_000 - 7200)  // two hours ago
        let recent = flows(count: 1000, startSecond: 100_000 - 600)  // ten minutes ago
        let log = try FlowLog.open(directory: directory.path, options: options)
        try log.append(old)
        try log.close()  // the next append starts a segment of recent flows only
        try log.append(recent)
        try log.close()
        let reopened = try FlowLog.open(directory: directory.path, options: options)
        try reopened.close()
        #expect(log.stats.segmentsDeleted + reopened.stats.segmentsDeleted > 0)
        #expect(try readAll(directory.path).flows == recent)
    }

    @Test func reopenedLogContinuesAppending() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = flows(count: 100)
        let second = flows(count: 100, startSecond: 5_000)
        let log = try FlowLog.open(directory: directory.path, options: options())
        try log.append(first)
        try log.close()
        let reopened = try FlowLog.open(directory: directory.path, options: options())
        #expect(reopened.recovery.isClean)
        try reopened.append(second)
        try reopened.close()
        #expect(try readAll(directory.path).flows == first + second)
    }

    @Test func errorsNameTheFile() throws {
        let error = #expect(throws: FlowLogError.self) {
            _ = try FlowLog.open(directory: "/proc/no-such-dir/flows")
        }
        #expect(error?.path == "/proc/no-such-dir/flows")
        #expect(error?.description.contains("/proc/no-such-dir/flows") == true)
    }
}
