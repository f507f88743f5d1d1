import Foundation
import HedgerowCore
import HedgerowFlowLog
import Logging
import Synchronization

/// Appends every ingested flow to the flow log, off the ingest path: `observe` only queues the
/// flow (a short lock, no I/O); one dedicated thread appends queued flows in batches, flushes
/// every `flushInterval` and at `stop()`. A full queue drops the flow and counts it
/// (`status.flowsLost`) rather than slowing ingest down: history is best effort, the ring and
/// the datapath come first.
public final class FlowHistoryWriter: FlowSink, Sendable {
    public struct Status: Sendable, Hashable {
        public var flowsWritten: UInt64
        public var bytesWritten: UInt64
        /// Dropped because the queue was full (the disk could not keep up).
        public var flowsLost: UInt64
        public var writeErrors: UInt64
    }

    public let capacity: Int
    let flushInterval: Duration
    private let logger: Logger
    /// Only the writer thread touches the log.
    private nonisolated(unsafe) let log: FlowLog
    private let pending: Mutex<Pending>
    private let wake = DispatchSemaphore(value: 0)
    private let written = Atomic<UInt64>(0)
    private let bytes = Atomic<UInt64>(0)
    private let lost = Atomic<UInt64>(0)
    private let errors = Atomic<UInt64>(0)
    /// Queued flows that wake the thread before its flush interval is up.
    private static let batchSize = 1024
    private static let retentionInterval: Duration = .seconds(30)

    private struct Pending {
        var flows: [Flow] = []
        var woken = false
        var stopping: CheckedContinuation<Void, Never>?
        var started = false
    }

    public init(log: FlowLog, capacity: Int = 16384, flushInterval: Duration = .seconds(1), logger: Logger) {
        self.log = log
        self.capacity = capacity
        self.flushInterval = flushInterval
        self.logger = logger
        pending = Mutex(Pending())
    }

    /// Starts the writer thread (once).
    public func start() {
        let first = pending.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        let thread = Thread { [self] in run() }
        thread.name = "flow-history"
        thread.start()
    }

    public func observe(_ flow: Flow) {
        enum Outcome { case queued, queuedWake, refused }
        let outcome = pending.withLock { state -> Outcome in
            guard state.flows.count < capacity, state.stopping == nil else { return .refused }
            state.flows.append(flow)
            guard state.flows.count >= Self.batchSize, !state.woken else { return .queued }
            state.woken = true
            return .queuedWake
        }
        switch outcome {
        case .queued: break
        case .queuedWake: wake.signal()
        case .refused: lost.add(1, ordering: .relaxed)
        }
    }

    public func observeLost(_ event: LostEvent) {}

    public var status: Status {
        Status(
            flowsWritten: written.load(ordering: .relaxed), bytesWritten: bytes.load(ordering: .relaxed),
            flowsLost: lost.load(ordering: .relaxed), writeErrors: errors.load(ordering: .relaxed))
    }

    /// Writes what is queued, flushes and closes the log. Flows observed afterwards are dropped.
    public func stop() async {
        await withCheckedContinuation { continuation in
            let running = pending.withLock { state -> Bool in
                state.stopping = continuation
                return state.started
            }
            if running { wake.signal() } else { continuation.resume() }
        }
    }

    private func run() {
        let clock = ContinuousClock()
        var lastFlush = clock.now
        var lastRetention = clock.now
        while true {
            let (seconds, attoseconds) = flushInterval.components
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
            let (batch, stopping) = pending.withLock { state in
                defer {
                    state.flows.removeAll(keepingCapacity: true)
                    state.woken = false
                }
                return (state.flows, state.stopping)
            }
            write { () throws(FlowLogError) in
                if !batch.isEmpty { try log.append(batch) }
                if stopping != nil || clock.now - lastFlush >= flushInterval {
                    try log.flush()
                    lastFlush = clock.now
                }
                if clock.now - lastRetention >= Self.retentionInterval {
                    try log.enforceRetention()
                    lastRetention = clock.now
                }
            }
            written.store(UInt64(log.stats.flowsWritten), ordering: .relaxed)
            bytes.store(UInt64(log.stats.bytesWritten), ordering: .relaxed)
            if let stopping {
                write { () throws(FlowLogError) in try log.close() }
                written.store(UInt64(log.stats.flowsWritten), ordering: .relaxed)
                stopping.resume()
                return
            }
        }
    }

    private func write(_ work: () throws(FlowLogError) -> Void) {
        do {
            try work()
        } catch {
            errors.add(1, ordering: .relaxed)
            logger.error("flow history: \(error)")
        }
    }
}
