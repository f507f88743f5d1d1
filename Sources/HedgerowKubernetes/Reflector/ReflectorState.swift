import HedgerowCore

/// The list-then-watch state machine of one resource, with no I/O: inputs (pages, events, how
/// requests and streams ended) go in, the next request and the cached objects come out. A
/// runner (`ReflectorRunner`) does the HTTP.
///
/// The cache holds the last good version of every object: a version that fails to decode is
/// counted and reported and the previous one stays in force, so one bad object never takes the
/// agent down nor silently drops a policy.
struct ReflectorState: Sendable {
    struct Step: Sendable, Equatable {
        var action: ReflectorAction
        /// Whether `objects`, `problems`, `hasSynced` or `isInstalled` changed.
        var changed: Bool = false
        var notices: [ReflectorNotice] = []
    }

    let resource: KubernetesResource
    /// The last good version of each object.
    private(set) var objects: [ObjectReference: ManifestObject] = [:]
    /// Objects whose latest version was rejected, and why.
    private(set) var problems: [ObjectReference: ObjectProblems] = [:]
    /// Versions rejected since the start (a counter for metrics).
    private(set) var rejectedCount = 0
    /// Where a watch resumes: the list's version, then each event's.
    private(set) var resourceVersion: String?
    /// Whether a first complete list was seen (or the custom resource is known to be absent).
    private(set) var hasSynced = false
    /// False while a custom resource's definition is not installed.
    private(set) var isInstalled = true
    /// Number of relists after the first list (410 Gone and the like).
    private(set) var relistCount = 0

    private var pages: [JSONValue] = []
    private var consecutiveFailures = 0
    private var reportedNotInstalled = false

    init(resource: KubernetesResource) {
        self.resource = resource
    }

    /// The first request.
    func start() -> ReflectorAction { .list(continueToken: nil, after: .none) }

    mutating func handle(_ input: ReflectorInput) -> Step {
        switch input {
        case .listPage(let page): return receive(page)
        case .listFailed(let failure): return listFailed(failure)
        case .watchEvent(let event): return receive(event)
        case .watchMalformed(let reason): return rewatchAfterFailure("watch stream: \(reason)")
        case .watchEnded(.closed):
            consecutiveFailures = 0
            return Step(action: watchAction(after: .none))
        case .watchEnded(.closedTooSoon):
            return rewatchAfterFailure("watch closed at once without events")
        case .watchEnded(.cut(let reason)): return rewatchAfterFailure("watch cut: \(reason)")
        case .watchFailed(let failure): return watchFailed(failure)
        }
    }

    // MARK: LIST

    private mutating func receive(_ page: ListPage) -> Step {
        pages += page.items
        if let token = page.continueToken { return Step(action: .list(continueToken: token, after: .none)) }

        let items = pages
        pages = []
        consecutiveFailures = 0
        var step = Step(action: .watch(resourceVersion: page.resourceVersion, after: .none))
        if !isInstalled {
            isInstalled = true
            reportedNotInstalled = false
            step.notices.append(.installed(resource))
        }
        let before = (objects, problems, hasSynced)
        var listed: [ObjectReference: ManifestObject] = [:]
        var listedProblems: [ObjectReference: ObjectProblems] = [:]
        for item in items {
            let reference = ObjectDecoding.reference(of: item, resource: resource) ?? unnamed
            switch ObjectDecoding.decode(item, as: resource, reference: reference) {
            case .decoded(let object):
                listed[reference] = object
            case .failed(let issues):
                rejectedCount += 1
                if let lastGood = objects[reference] { listed[reference] = lastGood }
                let rejected = ObjectProblems(object: reference, problems: issues, keptLastGood: objects[reference] != nil)
                listedProblems[reference] = rejected
                if problems[reference] != rejected { step.notices.append(.objectRejected(rejected)) }
            }
        }
        objects = listed
        problems = listedProblems
        resourceVersion = page.resourceVersion
        hasSynced = true
        step.changed = before.0 != objects || before.1 != problems || !before.2
        step.notices.append(.synced(objects: objects.count, resourceVersion: page.resourceVersion))
        return step
    }

    private mutating func listFailed(_ failure: RequestFailure) -> Step {
        pages = []
        if resource.isCustomResource, failure.httpStatus == 404 { return markNotInstalled() }
        if failure.isGone {
            // The continue token expired mid-pagination: start the list over.
            return Step(
                action: .list(continueToken: nil, after: .none), notices: [.relisting(reason: "\(failure)")])
        }
        consecutiveFailures += 1
        return Step(
            action: .list(continueToken: nil, after: .backoff(attempt: consecutiveFailures)),
            notices: [.retrying(request: "list \(resource.path)", reason: "\(failure)", attempt: consecutiveFailures)])
    }

    private mutating func markNotInstalled() -> Step {
        var step = Step(action: .list(continueToken: nil, after: .notInstalled))
        step.changed = !objects.isEmpty || !problems.isEmpty || !hasSynced || isInstalled
        objects = [:]
        problems = [:]
        resourceVersion = nil
        hasSynced = true
        isInstalled = false
        consecutiveFailures = 0
        if !reportedNotInstalled {
            reportedNotInstalled = true
            step.notices.append(.notInstalled(resource))
        }
        return step
    }

    // MARK: WATCH

    private mutating func receive(_ event: WatchEvent) -> Step {
        consecutiveFailures = 0
        switch event.kind {
        case .bookmark:
            if let version = ObjectDecoding.resourceVersion(of: event.object) { resourceVersion = version }
            return Step(action: .readStream)
        case .error:
            let status = APIStatus(event.object)
            if status?.isGone == true { return relist(reason: "watch: \(status!)") }
            return rewatchAfterFailure("watch error event: \(status.map { "\($0)" } ?? "not a Status object")")
        case .added, .modified, .deleted:
            if let version = ObjectDecoding.resourceVersion(of: event.object) { resourceVersion = version }
            let reference = ObjectDecoding.reference(of: event.object, resource: resource) ?? unnamed
            return event.kind == .deleted ? delete(reference) : upsert(event.object, reference: reference)
        }
    }

    private mutating func upsert(_ object: JSONValue, reference: ObjectReference) -> Step {
        var step = Step(action: .readStream)
        switch ObjectDecoding.decode(object, as: resource, reference: reference) {
        case .decoded(let decoded):
            step.changed = objects[reference] != decoded || problems[reference] != nil
            objects[reference] = decoded
            problems[reference] = nil
        case .failed(let issues):
            rejectedCount += 1
            let rejected = ObjectProblems(object: reference, problems: issues, keptLastGood: objects[reference] != nil)
            step.changed = problems[reference] != rejected
            problems[reference] = rejected
            step.notices.append(.objectRejected(rejected))
        }
        return step
    }

    private mutating func delete(_ reference: ObjectReference) -> Step {
        let changed = objects[reference] != nil || problems[reference] != nil
        objects[reference] = nil
        problems[reference] = nil
        return Step(action: .readStream, changed: changed)
    }

    private mutating func watchFailed(_ failure: RequestFailure) -> Step {
        if failure.isGone { return relist(reason: "watch: \(failure)") }
        if resource.isCustomResource, failure.httpStatus == 404 { return markNotInstalled() }
        return rewatchAfterFailure("\(failure)")
    }

    private mutating func relist(reason: String) -> Step {
        relistCount += 1
        resourceVersion = nil
        return Step(action: .list(continueToken: nil, after: .none), notices: [.relisting(reason: reason)])
    }

    private mutating func rewatchAfterFailure(_ reason: String) -> Step {
        consecutiveFailures += 1
        let action = watchAction(after: .backoff(attempt: consecutiveFailures))
        guard case .watch(let version, _) = action else { return Step(action: action) }
        return Step(
            action: action,
            notices: [
                .retrying(request: "watch \(resource.path) from \(version)", reason: reason, attempt: consecutiveFailures)
            ])
    }

    /// A watch from the last resourceVersion, or a list when there is none yet.
    private func watchAction(after delay: RetryDelay) -> ReflectorAction {
        guard let resourceVersion else { return .list(continueToken: nil, after: delay) }
        return .watch(resourceVersion: resourceVersion, after: delay)
    }

    private var unnamed: ObjectReference { ObjectReference(kind: resource.kind, name: "<no metadata.name>") }
}
