import HedgerowCore
import Testing

@testable import HedgerowAgent

@Suite struct FollowerTests {
    @Test func aSlowFollowerIsToldExactlyHowManyEventsItMissed() async throws {
        let store = try FlowTestData.store(capacity: 7, flows: 1...2)
        var cursor = store.cursor(for: FlowQuery(number: 0, follow: true))
        store.ingest(FlowTestData.flow(3))
        #expect(await cursor.next()?.map(\.number) == [3])
        // The follower does not read while 20 more flows arrive; the ring keeps only 7.
        for number in 4...23 { store.ingest(FlowTestData.flow(number)) }
        let batch = try #require(await cursor.next())
        #expect(batch.first?.number == -13)
        if case .lost(let lost, _)? = batch.first { #expect(lost.source == .hubbleRingBuffer) }
        #expect(batch.dropFirst().map(\.number) == Array(17...23))
        #expect(store.status.clientLostEvents == 13)
        // Every event is accounted for: read + reported lost = written.
        let read = 1 + batch.count - 1
        #expect(UInt64(read) + store.status.clientLostEvents == 21)
    }

    @Test func theWriterNeverWaitsForFollowers() async throws {
        let store = try FlowStore(capacity: 1023)
        // Ten followers that never read: ingest must still complete.
        let cursors = (0..<10).map { _ in store.cursor(for: FlowQuery(number: 0, follow: true)) }
        for number in 0..<100_000 { store.ingest(FlowTestData.flow(number % 60000)) }
        #expect(store.status.seenFlows == 100_000)
        #expect(cursors.count == 10)
    }

    @Test func aWaitingFollowerWakesForTheNextFlow() async throws {
        let store = try FlowStore(capacity: 15)
        let writer = Task {
            var number = 1
            while !Task.isCancelled {
                store.ingest(FlowTestData.flow(number))
                number += 1
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        defer { writer.cancel() }
        var cursor = store.cursor(for: FlowQuery(number: 0, follow: true))
        let batch = try #require(await cursor.next())
        #expect(!batch.isEmpty)
    }

    @Test func cancellingAFollowerEndsIt() async throws {
        let store = try FlowStore(capacity: 15)
        let follower = Task {
            var cursor = store.cursor(for: FlowQuery(number: 0, follow: true))
            return await cursor.next()
        }
        try await Task.sleep(for: .milliseconds(20))
        follower.cancel()
        #expect(await follower.value == nil)
    }

    @Test func followStopsAtUntil() async throws {
        let store = try FlowTestData.store(capacity: 15, flows: 1...3)
        var cursor = store.cursor(
            for: FlowQuery(number: 1, follow: true, until: FlowTimestamp(seconds: 1_700_000_005)))
        #expect(await cursor.next()?.map(\.number) == [3])
        for number in 4...8 { store.ingest(FlowTestData.flow(number)) }
        #expect(await cursor.next()?.map(\.number) == [4])
        #expect(await cursor.next() == nil)
    }

    @Test func lostEventsFromTheDatapathReachFollowers() async throws {
        let store = try FlowStore(capacity: 15)
        var cursor = store.cursor(for: FlowQuery(number: 0, follow: true))
        store.ingestLost(source: .perfEventRingBuffer, count: 42, cpu: 1)
        let batch = try #require(await cursor.next())
        guard case .lost(let lost, _) = try #require(batch.first) else {
            Issue.record("expected a lost event")
            return
        }
        #expect(lost == LostEvent(source: .perfEventRingBuffer, count: 42, cpu: 1))
    }
}
