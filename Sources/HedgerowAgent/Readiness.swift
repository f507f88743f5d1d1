import Synchronization

/// When the agent became ready, and the warnings an operator should see in `hagent status`.
final class Readiness: Sendable {
    private struct State {
        var startupToReady: Duration?
        var warnings: [String] = []
    }
    private let state = Mutex(State())

    var startupToReady: Duration? { state.withLock { $0.startupToReady } }
    var warnings: [String] { state.withLock { $0.warnings } }

    func markReady(after duration: Duration) { state.withLock { $0.startupToReady = duration } }

    /// Replaces the warnings of one source (e.g. "manifests") so fixed problems disappear.
    func setWarnings(_ warnings: [String], source: String) {
        state.withLock { state in
            state.warnings.removeAll { $0.hasPrefix("\(source): ") }
            state.warnings += warnings.map { "\(source): \($0)" }
        }
    }
}
