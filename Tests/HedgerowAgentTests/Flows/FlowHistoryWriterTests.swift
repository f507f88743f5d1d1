import Foundation
import HedgerowCore
import HedgerowFlowLog
import HedgerowTestSupport
import Logging
import Testing

@testable import HedgerowAgent

@Suite struct FlowHistoryWriterTests {
    func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "/" + UniqueName.make("hist")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writesEveryObservedFlowAndClosesOnStop() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = FlowHistoryWriter(log: try FlowLog.open(directory: directory), logger: Logger(label: "test"))
        writer.start()
        for number in 1...3000 { writer.observe(FlowTestData.flow(number)) }
        await writer.stop()
        #expect(writer.status.flowsWritten == 3000 && writer.status.flowsLost == 0)
        var ports: [Int] = []
        try FlowLogReader(directory: directory).read { ports.append(Int($0.l4?.sourcePort ?? 0)) }
        #expect(ports == (1...3000).map { $0 & 0xFFFF })
    }

    @Test func aFullQueueDropsAndCountsInsteadOfBlocking() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Not started: nothing drains the queue.
        let writer = FlowHistoryWriter(log: try FlowLog.open(directory: directory), capacity: 10, logger: Logger(label: "test"))
        for number in 1...15 { writer.observe(FlowTestData.flow(number)) }
        #expect(writer.status.flowsLost == 5)
        writer.start()
        await writer.stop()
        #expect(writer.status.flowsWritten == 10)
    }

    /// The cursor over the real log: the ring's overlap with the disk is not repeated.
    @Test func theFlowLogServesHistoryBeforeTheRing() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try FlowLog.open(directory: directory)
        try log.append((1...20).map { FlowTestData.flow($0) })
        try log.close()
        let store = try FlowTestData.store(capacity: 7, flows: 14...20)
        let events = await drain(store, FlowQuery(number: 0, since: FlowTestData.time(0)), history: FlowLogHistory(directory: directory))
        #expect(events.map(\.number) == Array(1...20))
    }

    @Test func sizesAndDurationsParse() {
        #expect(FlowHistoryArguments.size("256MiB") == 256 << 20)
        #expect(FlowHistoryArguments.size("1GB") == 1_000_000_000)
        #expect(FlowHistoryArguments.size("4096") == 4096)
        #expect(FlowHistoryArguments.size("12XB") == nil && FlowHistoryArguments.size("") == nil)
        #expect(FlowHistoryArguments.duration("24h") == .seconds(86400))
        #expect(FlowHistoryArguments.duration("1h30m") == .seconds(5400))
        #expect(FlowHistoryArguments.duration("500ms") == .milliseconds(500))
        #expect(FlowHistoryArguments.duration("5x") == nil && FlowHistoryArguments.duration("0s") == nil)
    }
}
