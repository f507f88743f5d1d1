import HedgerowCore
import Logging

/// The cluster as the API server sees it: one reflector per resource, combined into
/// `ClusterState` values, the same type the manifests directory produces.
///
/// Nothing is published before every reflector has synced its first list (`waitUntilReady`):
/// a state with pods but without their policies yet would enforce too little. After that,
/// each burst of changes yields one state (`states`, newest wins when the consumer is slow).
///
///     let source = KubernetesSource(client: client, logger: logger)
///     async let running: Void = source.run()
///     await source.waitUntilReady()
///     for await state in source.states { ... }
public actor KubernetesSource {
    public struct Options: Sendable {
        public var backoff: BackoffPolicy
        /// `timeoutSeconds` of each watch; the server ends it then and the reflector re-watches.
        public var watchTimeoutSeconds: Int
        /// `limit` of each list page.
        public var pageSize: Int
        /// How long changes are gathered before a state is published.
        public var coalescing: Duration

        public init(
            backoff: BackoffPolicy = BackoffPolicy(), watchTimeoutSeconds: Int = 300, pageSize: Int = 500,
            coalescing: Duration = .milliseconds(100)
        ) {
            self.backoff = backoff
            self.watchTimeoutSeconds = watchTimeoutSeconds
            self.pageSize = pageSize
            self.coalescing = coalescing
        }
    }

    public nonisolated let resources: [KubernetesResource]
    /// Cluster states, from the first synced one on. One consumer.
    public nonisolated let states: AsyncStream<ClusterState>

    private let client: KubernetesAPIClient
    private let options: Options
    private let logger: Logger
    private let statesContinuation: AsyncStream<ClusterState>.Continuation
    private let dirty: AsyncStream<Void>
    private let dirtyContinuation: AsyncStream<Void>.Continuation

    private var snapshots: [KubernetesResource: ReflectorSnapshot] = [:]
    private var readyWaiters: [CheckedContinuation<Void, Never>] = []
    private var lastPublished: ClusterState?
    public private(set) var isReady = false
    /// States published so far (bursts coalesce, so fewer than changes).
    public private(set) var publishedCount = 0

    public init(
        client: KubernetesAPIClient, resources: [KubernetesResource] = KubernetesResource.all,
        options: Options = Options(), logger: Logger = Logger(label: "hedgerow.kubernetes")
    ) {
        self.client = client
        self.resources = resources
        self.options = options
        self.logger = logger
        (states, statesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (dirty, dirtyContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Lists and watches every resource until the calling task is cancelled; then `states` ends.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for resource in resources {
                let runner = ReflectorRunner(
                    resource: resource, client: client, options: options,
                    logger: logger, publish: { [weak self] snapshot in await self?.receive(snapshot) })
                group.addTask { await runner.run() }
            }
            group.addTask { [dirty, coalescing = options.coalescing] in
                for await _ in dirty {
                    try? await Task.sleep(for: coalescing)
                    if Task.isCancelled { return }
                    await self.publish()
                }
            }
            await group.next()  // only returns when cancelled
            group.cancelAll()
        }
        dirtyContinuation.finish()
        statesContinuation.finish()
    }

    /// Returns once every reflector has synced its first list (immediately after that).
    public func waitUntilReady() async {
        if isReady { return }
        await withCheckedContinuation { readyWaiters.append($0) }
    }

    /// The current combined state; nil until ready.
    public func currentState() -> ClusterState? {
        isReady ? combinedState() : nil
    }

    /// Per resource: synced, installed, object count, rejected versions, relists.
    public func status() -> [ReflectorSnapshot] {
        resources.compactMap { snapshots[$0] }
    }

    /// Problems worth a warning: rejected objects (kind, namespace, name, field) and custom
    /// resources that are not installed.
    public func warnings() -> [String] {
        resources.compactMap { snapshots[$0] }.flatMap { snapshot in
            var lines = snapshot.problems.map(\.description)
            if !snapshot.isInstalled {
                lines.append("\(snapshot.resource.kind): not served by the API server (CRD not installed), treated as none")
            }
            return lines
        }
    }

    // MARK: Updates from the reflectors

    private func receive(_ snapshot: ReflectorSnapshot) {
        snapshots[snapshot.resource] = snapshot
        let wasReady = isReady
        if !isReady, resources.allSatisfy({ snapshots[$0]?.hasSynced == true }) {
            isReady = true
            logger.info("Kubernetes caches synced: \(resources.map(\.kind).joined(separator: ", "))")
            for waiter in readyWaiters { waiter.resume() }
            readyWaiters = []
        }
        if isReady, snapshot.objectsChanged || !wasReady { dirtyContinuation.yield() }
    }

    private func publish() {
        let state = combinedState()
        guard state != lastPublished else { return }
        lastPublished = state
        publishedCount += 1
        statesContinuation.yield(state)
    }

    private func combinedState() -> ClusterState {
        var namespaces: [Namespace] = []
        var pods: [Pod] = []
        var policies: [PolicyObject] = []
        var services: [Service] = []
        var slices: [EndpointSlice] = []
        for snapshot in snapshots.values {
            for object in snapshot.objects {
                switch object {
                case .namespace(let namespace): namespaces.append(namespace)
                case .pod(let pod): pods.append(pod)
                case .policy(let policy): policies.append(policy)
                case .service(let service): services.append(service)
                case .endpointSlice(let slice): slices.append(slice)
                case .unknown: break
                }
            }
        }
        return ClusterState(
            namespaces: namespaces, pods: pods, policies: policies, services: services, endpointSlices: slices)
    }
}
