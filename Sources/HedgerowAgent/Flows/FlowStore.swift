import Foundation
import HedgerowCore
import Synchronization

/// The agent's memory of recent flows: a ring of `capacity` events (Hubble's 2^n - 1, default
/// 4095) with the counters `ServerStatus` reports. Ingest never blocks and never waits for
/// readers; each reader (`cursor(for:)`) keeps its own position and is told, with a lost event,
/// what was overwritten before it read it.
public final class FlowStore: Sendable {
    public static let defaultCapacity = 4095

    public let capacity: Int
    let ring: FlowRing
    let startedAt: ContinuousClock.Instant
    /// Mixed with sequence numbers into flow uuids (see FlowUUID).
    private let uuidSeed: UInt64
    private let datapathLost = Atomic<UInt64>(0)
    private let clientLost = Atomic<UInt64>(0)

    public init(capacity: Int = FlowStore.defaultCapacity) throws(FlowStoreError) {
        guard capacity > 0, capacity <= 1 << 24, (capacity + 1) & capacity == 0 else {
            throw FlowStoreError.invalidCapacity(capacity)
        }
        self.capacity = capacity
        ring = FlowRing(capacity: capacity)
        startedAt = .now
        uuidSeed = UInt64.random(in: .min ... .max)
    }

    /// Stores a flow, stamping its uuid when it has none; returns the flow as stored.
    @discardableResult
    public func ingest(_ flow: Flow) -> Flow {
        let seed = uuidSeed
        var stored = flow
        ring.append(.flow(flow)) { event, sequence in
            guard case .flow(var flow) = event, flow.uuid == nil else { return }
            flow.uuid = FlowUUID(seed: seed, sequence: sequence)
            event = .flow(flow)
            stored = flow
        }
        return stored
    }

    /// Records events the datapath could not report (`count` of them, from `source`); readers
    /// receive the record in order with the flows.
    public func ingestLost(source: LostEventSource, count: UInt64, cpu: Int32? = nil, time: FlowTimestamp = FlowClock.now()) {
        guard count > 0 else { return }
        datapathLost.add(count, ordering: .relaxed)
        ring.append(.lost(LostEvent(source: source, count: count, cpu: cpu), time: time)) { _, _ in }
    }

    /// Called by readers that found events overwritten before they read them.
    func recordClientLost(_ count: UInt64) {
        clientLost.add(count, ordering: .relaxed)
    }

    public var status: FlowStoreStatus {
        let counts = ring.counts
        return FlowStoreStatus(
            held: counts.held, capacity: capacity, seenFlows: counts.seenFlows,
            uptime: ContinuousClock.now - startedAt,
            datapathLostEvents: datapathLost.load(ordering: .relaxed),
            clientLostEvents: clientLost.load(ordering: .relaxed))
    }

    /// Flows per second over the minute before `now`, counted from the flows in the ring (so a
    /// ring that holds less than a minute under-reports, as Hubble's does).
    public func flowsRate(now: FlowTimestamp = FlowClock.now()) -> Double {
        let windowStart = FlowTimestamp(seconds: now.seconds - 60, nanos: now.nanos)
        var count = 0
        var end = ring.head
        scan: while true {
            let (events, first) = ring.read(before: end, limit: 1024)
            if events.isEmpty { break }
            for event in events.reversed() {
                guard event.time >= windowStart else { break scan }
                if case .flow = event, event.time <= now { count += 1 }
            }
            end = first
        }
        return Double(count) / 60
    }

    /// A reader for one request (see FlowCursor for the semantics).
    /// With `history`, flows older than the ring are read from it first.
    public func cursor(for query: FlowQuery, history: (any FlowHistorySource)? = nil) -> FlowCursor {
        FlowCursor(store: self, query: query, history: history)
    }
}

public struct FlowStoreStatus: Sendable, Hashable {
    /// Events (flows and lost-event records) held now.
    public var held: Int
    public var capacity: Int
    public var seenFlows: UInt64
    public var uptime: Duration
    public var datapathLostEvents: UInt64
    public var clientLostEvents: UInt64
}

public enum FlowStoreError: Error, Hashable, CustomStringConvertible {
    case invalidCapacity(Int)

    public var description: String {
        switch self {
        case .invalidCapacity(let value):
            "flow buffer capacity \(value) must be one less than a power of two, between 1 and 16777215 (e.g. 4095 or 65535)"
        }
    }
}
