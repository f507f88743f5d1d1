import HedgerowCore
import Testing

@testable import HedgerowAgent

@Suite struct FlowStoreTests {
    @Test func capacityMustBeOneLessThanAPowerOfTwo() throws {
        #expect(try FlowStore().capacity == 4095)
        #expect(try FlowStore(capacity: 65535).capacity == 65535)
        for bad in [0, 4096, 1000, -1] {
            #expect(throws: FlowStoreError.invalidCapacity(bad)) { try FlowStore(capacity: bad) }
        }
        #expect(FlowStoreError.invalidCapacity(4096).description.contains("4095"))
    }

    @Test func theRingWrapsAroundKeepingTheNewest() async throws {
        let store = try FlowTestData.store(capacity: 7, flows: 1...20)
        let all = await drain(store, FlowQuery(number: 0))
        #expect(all.map(\.number) == Array(14...20))
        let status = store.status
        #expect(status.held == 7 && status.capacity == 7 && status.seenFlows == 20)
    }

    @Test func lastNFirstNAndEverything() async throws {
        let store = try FlowTestData.store(capacity: 15, flows: 1...10)
        #expect(await drain(store, FlowQuery(number: 3)).map(\.number) == [8, 9, 10])
        #expect(await drain(store, FlowQuery(number: 3, first: true)).map(\.number) == [1, 2, 3])
        #expect(await drain(store, FlowQuery(number: 50)).map(\.number) == Array(1...10))
        #expect(await drain(store, FlowQuery(number: 0, first: true)).map(\.number) == Array(1...10))
        #expect(await drain(store, FlowQuery(number: .max)).map(\.number) == Array(1...10))
    }

    @Test func lastNCountsOnlyMatchingFlows() async throws {
        let store = try FlowTestData.store(capacity: 15, flows: 1...12)
        var drops = FlowFilter()
        drops.verdicts = [.dropped]
        let query = FlowQuery(number: 2, filters: FlowFilterSet(whitelist: [drops]))
        #expect(await drain(store, query).map(\.number) == [9, 12])
        let blacklisted = FlowQuery(number: 3, filters: FlowFilterSet(blacklist: [drops]))
        #expect(await drain(store, blacklisted).map(\.number) == [8, 10, 11])
    }

    @Test func sinceAndUntilBoundTimes() async throws {
        let store = try FlowTestData.store(capacity: 15, flows: 1...10)
        let base: Int64 = 1_700_000_000
        let since = FlowQuery(number: 0, since: FlowTimestamp(seconds: base + 7))
        #expect(await drain(store, since).map(\.number) == [7, 8, 9, 10])
        let range = FlowQuery(number: 0, since: FlowTimestamp(seconds: base + 3), until: FlowTimestamp(seconds: base + 5, nanos: 5_000_000))
        #expect(await drain(store, range).map(\.number) == [3, 4, 5])
        let lastInRange = FlowQuery(number: 2, until: FlowTimestamp(seconds: base + 6))
        #expect(await drain(store, lastInRange).map(\.number) == [4, 5])
        let firstSince = FlowQuery(number: 2, first: true, since: FlowTimestamp(seconds: base + 8))
        #expect(await drain(store, firstSince).map(\.number) == [8, 9])
    }

    @Test func flowsGetUUIDsAndLostEventsAreKeptInOrder() async throws {
        let store = try FlowStore(capacity: 15)
        store.ingest(FlowTestData.flow(1))
        store.ingestLost(source: .perfEventRingBuffer, count: 5, cpu: 1, time: FlowTimestamp(seconds: 1_700_000_001, nanos: 6_000_000))
        store.ingest(FlowTestData.flow(2))
        let events = await drain(store, FlowQuery(number: 0))
        #expect(events.map(\.number) == [1, -5, 2])
        guard case .flow(let first) = events[0], case .flow(let second) = events[2] else {
            Issue.record("expected flows around the lost event")
            return
        }
        #expect(first.uuid != nil && second.uuid != nil && first.uuid != second.uuid)
        #expect(store.status.datapathLostEvents == 5)
        // A filter never hides lost events: a reader must learn what it missed.
        var none = FlowFilter()
        none.verdicts = [.audit]
        #expect(await drain(store, FlowQuery(number: 0, filters: FlowFilterSet(whitelist: [none]))).map(\.number) == [-5])
    }

    @Test func aPlainFollowStartsWithNewFlowsOnly() async throws {
        let store = try FlowTestData.store(capacity: 15, flows: 1...5)
        var cursor = store.cursor(for: FlowQuery(number: 0, follow: true))
        store.ingest(FlowTestData.flow(6))
        #expect(await cursor.next()?.map(\.number) == [6])
        var withHistory = store.cursor(for: FlowQuery(number: 2, follow: true))
        #expect(await withHistory.next()?.map(\.number) == [5, 6])
        store.ingest(FlowTestData.flow(7))
        #expect(await withHistory.next()?.map(\.number) == [7])
    }

    @Test func flowsRateCountsTheLastMinute() throws {
        let store = try FlowStore(capacity: 127)
        let now = FlowTimestamp(seconds: 1_700_000_100)
        for second in (0..<120).reversed() {
            var flow = FlowTestData.flow(1)
            flow.time = FlowTimestamp(seconds: 1_700_000_100 - Int64(second))
            store.ingest(flow)
        }
        // Seconds 0...60 before now are inside the window.
        #expect(store.flowsRate(now: now) == Double(61) / 60)
    }

    @Test func thePipelineCompletesNodeNameAndTimeAndFeedsSinks() async throws {
        final class Counter: FlowSink, @unchecked Sendable {
            var flows = 0
            var lost: UInt64 = 0
            func observe(_ flow: Flow) { flows += 1 }
            func observeLost(_ event: LostEvent) { lost += event.count }
        }
        let counter = Counter()
        let pipeline = FlowPipeline(store: try FlowStore(capacity: 7), nodeName: "node-9", sinks: [counter])
        var flow = FlowTestData.flow(1, node: "")
        flow.time = .zero
        pipeline.ingest(flow)
        pipeline.ingestLost(count: 3, cpu: 0)
        let events = await drain(pipeline.store, FlowQuery(number: 0))
        guard case .flow(let stored) = events.first else {
            Issue.record("no flow stored")
            return
        }
        #expect(stored.nodeName == "node-9")
        #expect(stored.time.seconds > 1_700_000_000)
        #expect(counter.flows == 1 && counter.lost == 3)
    }
}
