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
            group.addTask { await reportLost() }
            var clock = HedgerowDatapath.WallClock()
            var converted = 0
            for await event in events {
                let origins = event.policyCookie == 0 ? [] : datapath.policy.origins(cookie: event.policyCookie) ?? []
                pipeline.ingest(enricher.flow(from: event, clock: clock, policyOrigins: origins))
                converted += 1
                // Follow adjustments of the wall clock without paying for it on every event.
                if converted % 4096 == 0 { clock = HedgerowDatapath.WallClock() }
            }
            group.cancelAll()
        }
    }

    /// The programs count events they could not queue; followers learn of them as lost events.
    private func reportLost() async {
        var reported = (try? datapath.lostEvents()) ?? 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard let now = try? datapath.lostEvents(), now > reported else { continue }
            pipeline.ingestLost(count: now - reported)
            reported = now
        }
    }
}
