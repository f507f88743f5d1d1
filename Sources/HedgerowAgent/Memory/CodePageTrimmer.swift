import Logging
import Synchronization

/// Runs CodeTrimSchedule against the agent's own resident set (see CodePages for why).
final class CodePageTrimmer: Sendable {
    let interval: Duration
    let settleDelay: Duration
    private let logger: Logger
    private let trims = Atomic<UInt32>(0)

    /// Times the code pages were trimmed, for `hagent status`.
    var trimCount: UInt32 { trims.load(ordering: .relaxed) }

    init(interval: Duration, settleDelay: Duration = .seconds(2), logger: Logger) {
        self.interval = interval
        self.settleDelay = settleDelay
        self.logger = logger
    }

    /// Checks every `interval` until cancelled, the first time one interval after readiness so
    /// that the first endpoints and policies are in place. A failing system call is logged once
    /// and ends trimming: the agent works the same without it, with more code pages mapped.
    func run() async {
        var schedule = CodeTrimSchedule()
        while (try? await Task.sleep(for: interval)) != nil {
            guard let before = ProcessMemory.resident() else { return }
            do {
                guard schedule.shouldTrim(fileBacked: before.fileBacked) else {
                    try CodePages.dropUnmappedCache()
                    continue
                }
                let started = ContinuousClock.now
                try CodePages.trim()
                let took = ContinuousClock.now - started
                trims.add(1, ordering: .relaxed)
                guard (try? await Task.sleep(for: settleDelay)) != nil else { return }
                // What the trim paged out is only now free to drop.
                try CodePages.dropUnmappedCache()
                guard let after = ProcessMemory.resident() else { return }
                schedule.settle(fileBacked: after.fileBacked)
                logger.debug("code pages trimmed in \(took): resident \(before.total >> 10) KiB before, \(after.total >> 10) KiB settled")
            } catch {
                logger.warning("code pages are not trimmed any more: \(error)")
                return
            }
        }
    }
}
