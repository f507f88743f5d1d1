import Foundation
import HedgerowDatapath
import Logging

/// Moves the datapath's events into the flow pipeline, and its lost-event counter into lost
/// events that followers see, until cancelled.
struct FlowIngestion: Sendable {
    let datapath: EndpointDatapath
    let enricher: FlowEnricher
    let pipeline: FlowPipeline
    let logger: Logger

    func run() async {
        let events: FlowEvents
        do {
            events = try datapath.flowEvents()
        } catch {
            logger.error("flow events unavailable, hflow will show no flows: \(error)")
            return
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await reportLost(events) }
            var clock = HedgerowDatapath.WallClock()
            var converted = 0
            for await event in events {
                pipeline.ingest(enricher.flow(from: event, clock: clock, origins: datapath.policy.origins(cookie:)))
                converted += 1
                // Follow adjustments of the wall clock without paying for it on every event.
                if converted % 4096 == 0 { clock = HedgerowDatapath.WallClock() }
            }
            group.cancelAll()
        }
    }

    /// Events that never become flows are reported as lost events, so that flows + lost events
    /// always add up to what the programs produced: reservations the programs could not make
    /// (the kernel's per-CPU counter), records the reader dropped because ingestion lagged, and
    /// records that did not decode. Checked once a second; each new count becomes one record.
    private func reportLost(_ events: FlowEvents) async {
        var reported = LostCounts(datapath: (try? datapath.lostEvents()) ?? 0, reader: 0, malformed: 0)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = LostCounts(
                datapath: (try? datapath.lostEvents()) ?? reported.datapath,
                reader: UInt64(events.readerDroppedRecords), malformed: UInt64(events.malformedRecords))
            if now.datapath > reported.datapath { pipeline.ingestLost(source: .perfEventRingBuffer, count: now.datapath - reported.datapath) }
            if now.reader > reported.reader { pipeline.ingestLost(source: .observerEventsQueue, count: now.reader - reported.reader) }
            if now.malformed > reported.malformed { pipeline.ingestLost(source: .unknown, count: now.malformed - reported.malformed) }
            reported = now
        }
    }
}

/// Running totals of events lost before they became flows, by where they were lost.
private struct LostCounts {
    var datapath: UInt64
    var reader: UInt64
    var malformed: UInt64
}
