/// A client's pinned backend for one frontend, as the affinity map records it.
public struct SessionAffinityPin: Hashable, Sendable {
    public var backend: BackendAddress
    /// When the client last opened a connection through this pin, in seconds of a monotonic
    /// clock (the datapath's; the same clock as `now` in `decide`).
    public var lastSeenSeconds: UInt64

    public init(backend: BackendAddress, lastSeenSeconds: UInt64) {
        self.backend = backend
        self.lastSeenSeconds = lastSeenSeconds
    }

    /// Whether the pin is still fresh: the client came back less than `timeoutSeconds` ago, as
    /// kube-proxy's `recent` match counts it (a pin seen exactly `timeoutSeconds` ago has
    /// expired). A clock that went backwards counts as no time elapsed.
    public func isFresh(now: UInt64, timeoutSeconds: UInt32) -> Bool {
        let elapsed = now >= lastSeenSeconds ? now - lastSeenSeconds : 0
        return elapsed < UInt64(timeoutSeconds)
    }
}

/// What to do with a new connection of a client to a frontend with ClientIP affinity.
public enum SessionAffinityDecision: Hashable, Sendable {
    /// Use the pinned backend and refresh the pin's last-seen time.
    case keep(BackendAddress)
    /// Choose a backend as without affinity, then pin the client to it.
    case choose(reason: Reason)

    public enum Reason: String, Hashable, Sendable {
        case noAffinity, noPin, expired, backendGone
    }

    /// The decision for a client with `pin` (nil when none) connecting at `now`.
    ///
    /// A pin holds while it is fresh and its backend is still one of the frontend's backends
    /// (active or, when nothing is ready, terminating: the frontend's list already says which).
    public static func decide(pin: SessionAffinityPin?, frontend: ServiceFrontend, now: UInt64) -> SessionAffinityDecision {
        guard let timeout = frontend.sessionAffinity.timeoutSeconds else { return .choose(reason: .noAffinity) }
        guard let pin else { return .choose(reason: .noPin) }
        guard pin.isFresh(now: now, timeoutSeconds: timeout) else { return .choose(reason: .expired) }
        guard frontend.backends.contains(where: { $0.address == pin.backend }) else {
            return .choose(reason: .backendGone)
        }
        return .keep(pin.backend)
    }
}
