/// What a reflector's runner observed: the outcome of the request it was told to make, or the
/// next thing on an open watch stream.
enum ReflectorInput: Sendable {
    case listPage(ListPage)
    case listFailed(RequestFailure)
    case watchEvent(WatchEvent)
    /// A complete line of the watch stream that is not a watch event.
    case watchMalformed(String)
    case watchEnded(WatchEnd)
    case watchFailed(RequestFailure)
}

/// Why a request got no usable response.
enum RequestFailure: Sendable, Equatable, CustomStringConvertible {
    /// An HTTP error status, with the Status object of the body when there was one.
    case status(Int, APIStatus?)
    /// No response: connection refused or reset, TLS failure, timeout, unreadable body.
    case transport(String)

    var httpStatus: Int? {
        if case .status(let code, _) = self { return code }
        return nil
    }

    var isGone: Bool {
        if case .status(let code, let status) = self { return code == 410 || status?.isGone == true }
        return false
    }

    var description: String {
        switch self {
        case .status(let code, let status?): "HTTP \(code) (\(status))"
        case .status(let code, nil): "HTTP \(code)"
        case .transport(let reason): reason
        }
    }
}

/// How a watch stream stopped.
enum WatchEnd: Sendable, Equatable {
    /// The server ended the response cleanly (its `timeoutSeconds` ran out).
    case closed
    /// Ended cleanly, but within a second and without a single event: treated as a failure so
    /// that a server that keeps closing at once is not hammered.
    case closedTooSoon
    /// The connection broke, possibly in the middle of an event (whose bytes are discarded).
    case cut(String)
}

/// How long the runner waits before the next request.
enum RetryDelay: Sendable, Equatable {
    case none
    /// The n-th consecutive failure (1-based): exponential backoff with jitter.
    case backoff(attempt: Int)
    /// A custom resource whose definition is not installed: look again now and then.
    case notInstalled
}

/// What the runner must do next.
enum ReflectorAction: Sendable, Equatable {
    /// LIST one page (no `resourceVersion`: a consistent read), continuing from a token.
    case list(continueToken: String?, after: RetryDelay)
    /// WATCH from a resourceVersion; any open stream is dropped first.
    case watch(resourceVersion: String, after: RetryDelay)
    /// Keep reading the open watch stream.
    case readStream
}

/// Something worth a log line, produced while handling an input.
enum ReflectorNotice: Sendable, Equatable, CustomStringConvertible {
    case synced(objects: Int, resourceVersion: String)
    case objectRejected(ObjectProblems)
    case notInstalled(KubernetesResource)
    case installed(KubernetesResource)
    case relisting(reason: String)
    case retrying(request: String, reason: String, attempt: Int)

    var description: String {
        switch self {
        case .synced(let count, let version): "listed \(count) objects at resourceVersion \(version)"
        case .objectRejected(let problems): problems.description
        case .notInstalled(let resource):
            "\(resource.kind) is not served (its CustomResourceDefinition is not installed): treated as none, checked again later"
        case .installed(let resource): "\(resource.kind) is served now"
        case .relisting(let reason): "relisting: \(reason)"
        case .retrying(let request, let reason, let attempt): "\(request) failed (\(reason)), retry \(attempt) after backoff"
        }
    }
}
