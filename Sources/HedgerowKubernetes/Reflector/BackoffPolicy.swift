/// Delays between retries: exponential from `initial` up to `maximum`, each stretched by up to
/// `jitter` of itself at random so that agents on many nodes do not retry in step.
public struct BackoffPolicy: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    /// 0.5 means a delay lies in [d, 1.5 d).
    public var jitter: Double
    /// How often a custom resource that is not installed is looked for again.
    public var notInstalledRetry: Duration

    public init(
        initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), jitter: Double = 0.5,
        notInstalledRetry: Duration = .seconds(60)
    ) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self.notInstalledRetry = notInstalledRetry
    }

    /// The un-jittered delay before retry `attempt` (1-based).
    public func baseDelay(attempt: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(attempt, 1) {
            delay = delay * 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }

    /// The delay before retry `attempt`, jittered with `generator`.
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let base = baseDelay(attempt: attempt)
        guard jitter > 0 else { return base }
        return base + base * (jitter * Double.random(in: 0..<1, using: &generator))
    }

    func delay(for retry: RetryDelay, using generator: inout some RandomNumberGenerator) -> Duration {
        switch retry {
        case .none: .zero
        case .backoff(let attempt): delay(attempt: attempt, using: &generator)
        case .notInstalled: notInstalledRetry
        }
    }
}
