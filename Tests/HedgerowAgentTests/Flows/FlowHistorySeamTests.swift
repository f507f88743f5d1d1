import HedgerowCore
import Testing

@testable import HedgerowAgent

/// History (flows 1...20, all written to disk) and a ring of 7 that still holds 14...20: every
/// query kind sees each flow once, in time order, as if one store held them all.
@Suite struct FlowHistorySeamTests {
    let history = ArrayHistory((1...20).map { FlowTestData.flow($0) })

    func ring() throws -> FlowStore { try FlowTestData.store(capacity: 7, flows: 1...20) }

    @Test func everythingIsHistoryThenRingWithoutDuplicates() async throws {
        let events = await drain(try ring(), FlowQuery(number: 0, since: FlowTestData.time(0)), history: history)
        #expect(events.map(\.number) == Array(1...20))
        #expect(await drain(try ring(), FlowQuery(number: .max), history: history).map(\.number) == Array(1...20))
    }

    @Test func lastNTakesTheRingFirstThenTheNewestStored() async throws {
        #expect(await drain(try ring(), FlowQuery(number: 3), history: history).map(\.number) == [18, 19, 20])
        #expect(await drain(try ring(), FlowQuery(number: 10), history: history).map(\.number) == Array(11...20))
        #expect(await drain(try ring(), FlowQuery(number: 50), history: history).map(\.number) == Array(1...20))
    }

    @Test func firstNReadsHistoryThenTheRingForTheRest() async throws {
        #expect(await drain(try ring(), FlowQuery(number: 5, first: true), history: history).map(\.number) == Array(1...5))
        #expect(await drain(try ring(), FlowQuery(number: 15, first: true), history: history).map(\.number) == Array(1...15))
        #expect(await drain(try ring(), FlowQuery(number: 0, first: true), history: history).map(\.number) == Array(1...20))
    }

    @Test func filtersAndTimeBoundsApplyOnBothSides() async throws {
        var drops = FlowFilter()
        drops.verdicts = [.dropped]
        let dropped = FlowQuery(number: 0, since: FlowTestData.time(0), filters: FlowFilterSet(whitelist: [drops]))
        #expect(await drain(try ring(), dropped, history: history).map(\.number) == [3, 6, 9, 12, 15, 18])
        let lastTwoDrops = FlowQuery(number: 4, filters: FlowFilterSet(whitelist: [drops]))
        #expect(await drain(try ring(), lastTwoDrops, history: history).map(\.number) == [9, 12, 15, 18])
        let range = FlowQuery(number: 0, since: FlowTestData.time(10), until: FlowTestData.time(16))
        #expect(await drain(try ring(), range, history: history).map(\.number) == Array(10...16))
        let storedOnly = FlowQuery(number: 0, since: FlowTestData.time(2), until: FlowTestData.time(4))
        #expect(await drain(try ring(), storedOnly, history: history).map(\.number) == [2, 3, 4])
    }

    @Test func aPlainFollowStartsWithNewFlowsOnly() async throws {
        #expect(FlowHistorySeam.plan(for: FlowQuery(number: 0, follow: true), ringMatches: nil) == .none)
        #expect(FlowHistorySeam.plan(for: FlowQuery(number: 3), ringMatches: 3) == .none)
        #expect(FlowHistorySeam.plan(for: FlowQuery(number: 5), ringMatches: 3) == .last(2))
        #expect(FlowHistorySeam.plan(for: FlowQuery(number: 0, first: true), ringMatches: nil) == .first(nil))
    }

    @Test func theCutIsTheRingsEarliestTimeAndTheQuerysInclusiveUntil() {
        let query = FlowQuery(number: 0, since: FlowTestData.time(1), until: FlowTestData.time(5))
        let range = FlowHistorySeam.range(for: query, ringEarliest: FlowTestData.time(14))
        #expect(range?.since == FlowTestData.time(1))
        #expect(range?.until == FlowTimestamp(nanosecondsSinceEpoch: FlowTestData.time(5).nanosecondsSinceEpoch + 1))
        let late = FlowQuery(number: 0, since: FlowTestData.time(15))
        #expect(FlowHistorySeam.range(for: late, ringEarliest: FlowTestData.time(14)) == nil)
        let now = FlowTestData.time(30)
        #expect(FlowHistorySeam.range(for: FlowQuery(number: 1), ringEarliest: nil, now: now)?.until == now)
    }

    /// After a restart the ring is empty: history holds the past, and following continues with
    /// flows ingested afterwards.
    @Test func afterARestartHistoryComesFirstThenLiveFlows() async throws {
        let store = try FlowStore(capacity: 7)
        #expect(await drain(store, FlowQuery(number: 5), history: history).map(\.number) == Array(16...20))
        var cursor = store.cursor(for: FlowQuery(number: 0, follow: true, since: FlowTestData.time(18)), history: history)
        var seen: [Int] = []
        while seen.count < 3, let batch = await cursor.next() { seen += batch.map(\.number) }
        #expect(seen == [18, 19, 20])
        var live = FlowTestData.flow(21)
        live.time = FlowClock.now()
        store.ingest(live)
        let next = await cursor.next()
        #expect(next?.map(\.number) == [21])
    }

    /// Flows that reach the cursor from the ring keep the uuid the ring stamped; the writer
    /// (a sink) sees that same uuid, so history and ring agree on identities.
    @Test func sinksSeeTheStoredUUID() throws {
        final class Recorder: FlowSink, @unchecked Sendable {
            var flows: [Flow] = []
            func observe(_ flow: Flow) { flows.append(flow) }
            func observeLost(_ event: LostEvent) {}
        }
        let recorder = Recorder()
        let pipeline = FlowPipeline(store: try FlowStore(capacity: 7), nodeName: "n", sinks: [recorder])
        pipeline.ingest(FlowTestData.flow(1))
        let stored = pipeline.store.ring.read(from: 0, limit: 1).events
        guard case .flow(let flow)? = stored.first else { Issue.record("nothing stored"); return }
        #expect(flow.uuid != nil)
        #expect(recorder.flows.map(\.uuid) == [flow.uuid])
    }
}
