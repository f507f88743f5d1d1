import Foundation
import HedgerowDatapath
import Synchronization

/// Reads flow events in the background so that a test can wait for the ones it caused.
final class EventCollector: Sendable {
    private let events: FlowEvents
    private let received = Mutex<[FlowEvent]>([])
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(_ events: FlowEvents) {
        self.events = events
        let reader = Task { [self] in
            for await event in events { received.withLock { $0.append(event) } }
        }
        task.withLock { $0 = reader }
    }

    /// The events so far, once at least `count` arrived or `patience` passed (a bound on waiting,
    /// not a timing assertion: callers check what arrived). Generous because the reader runs on
    /// the cooperative pool, which tests blocking in parallel can starve for seconds on 2 cores.
    func wait(for count: Int, patience: Duration = .seconds(30)) async -> [FlowEvent] {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            let events = received.withLock { $0 }
            if events.count >= count { return events }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return received.withLock { $0 }
    }

    /// The events matching `matches`, once at least `count` of them arrived or `patience` passed.
    func wait(for count: Int, where matches: (FlowEvent) -> Bool, patience: Duration = .seconds(30)) async -> [FlowEvent] {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            let events = received.withLock { $0 }.filter(matches)
            if events.count >= count { return events }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return received.withLock { $0 }.filter(matches)
    }

    /// Waits a little for stragglers, then returns everything (for "no more than" checks).
    func settle(_ quiet: Duration = .milliseconds(200)) async -> [FlowEvent] {
        try? await Task.sleep(for: quiet)
        return received.withLock { $0 }
    }

    func clear() { received.withLock { $0.removeAll() } }

    func stop() {
        events.close()
        task.withLock { $0?.cancel() }
    }
}
