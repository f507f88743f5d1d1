import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HedgerowAPI
import HedgerowCore
import HedgerowDatapath
import HedgerowFlowLog
import HedgerowNetlink
import Logging

/// The daemon: wires the cluster-state source, the endpoint manager, the datapath and the API
/// server, and runs until SIGTERM/SIGINT.
///
/// Shutdown leaves the datapath in place on purpose: pinned maps and tc filters keep enforcing
/// while no agent runs, and the next agent adopts them (see EndpointManager.restore).
public struct Agent: Sendable {
    let configuration: AgentConfiguration
    let logger: Logger
    let startedAt: ContinuousClock.Instant

    public init(configuration: AgentConfiguration, logger: Logger, startedAt: ContinuousClock.Instant) {
        self.configuration = configuration
        self.logger = logger
        self.startedAt = startedAt
    }

    public func run() async throws {
        let config = configuration
        try prepareDirectories()
        let datapath = try EndpointDatapath(objectDirectory: config.bpfObjectDirectory, pinDirectory: config.pinDirectory)
        for replaced in datapath.replacedPins {
            logger.warning("\(replaced); recreated it empty: the agent refills it from its state, and filters using the old map are replaced")
        }
        let readiness = Readiness()
        let telemetry = AgentTelemetry()
        let policy = try PolicyEngine(
            datapath: datapath, stateDirectory: config.stateDirectory, clusterSource: config.kubernetes == nil ? "manifests" : "kubernetes",
            compilerOptions: PolicyCompiler.Options(auditEverything: config.policyAudit), metrics: telemetry.agent, logger: logger)
        let enricher = FlowEnricher(
            nodeName: config.nodeName, podIdentity: { policy.identity(of: $0) },
            auditIsolation: { policy.auditIsolation(endpointID: $0, direction: $1) })
        let endpoints = EndpointManager(
            nodeName: config.nodeName, datapath: datapath, links: try LinkDirectory(),
            store: EndpointStore(stateDirectory: config.stateDirectory), policy: policy, flowNames: enricher,
            logger: logger)
        let services = try startServices(readiness: readiness, flowNames: enricher, metrics: telemetry.agent)
        let applyCluster: @Sendable (ClusterState) async -> Void = { state in
            await endpoints.updateCluster(state)
            services.update(cluster: state)
        }
        let watcher = config.manifestsDirectory.map {
            ManifestWatcher(
                directory: ManifestDirectory(path: $0), interval: config.manifestPollInterval,
                apply: applyCluster, readiness: readiness, logger: logger)
        }
        await watcher?.reload()
        let kubernetes = try config.kubernetes.map { try KubernetesFeed(config: $0, readiness: readiness, logger: logger) }
        let reflectors = kubernetes.map { feed in Task { await feed.run() } }
        defer { reflectors?.cancel() }
        await kubernetes?.firstState(apply: applyCluster)
        try await endpoints.restore()

        let codeTrimmer = config.codeTrimInterval.map { CodePageTrimmer(interval: $0, logger: logger) }
        let status = AgentStatusReporter(
            configuration: config, startedAt: startedAt, endpoints: endpoints, readiness: readiness, codeTrimmer: codeTrimmer)
        let history = try openFlowHistory()
        let flows = FlowPipeline(
            store: try FlowStore(capacity: config.flowCapacity), nodeName: config.nodeName,
            sinks: [telemetry.flowSink] + (history.map { [$0] } ?? []))
        let metrics = try config.metricsListen.map {
            try telemetry.makeServer(listen: $0, isReady: { readiness.startupToReady != nil })
        }
        let flowHistory = config.flowLog.map { FlowLogHistory(directory: $0.directory) }
        let observer = ObserverService(
            store: flows.store, nodeName: config.nodeName, version: "hedgerow \(HedgerowVersion.current)",
            history: flowHistory)
        policy.observedFlows = ObservedFlows(store: flows.store, history: flowHistory)
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .unixDomainSocket(path: config.apiSocketPath), transportSecurity: .plaintext),
            services: [
                AgentAPIService(
                    endpoints: endpoints, status: status, services: services, refreshClusterState: { await watcher?.reload() }),
                observer,
            ])

        try await withThrowingDiscardingTaskGroup { group in
            // First, so that /healthz answers 503 until the agent is ready.
            if let metrics { group.addTask { try await metrics.run() } }
            group.addTask { try await server.serve() }
            guard let address = try await server.listeningAddress else { return }
            // Root only: the API registers endpoints and, later, changes policy.
            chmod(config.apiSocketPath, 0o600)
            readiness.markReady(after: ContinuousClock.now - startedAt)
            let (count, adopted) = (await endpoints.count, await endpoints.adoptedCount)
            logger.info("ready: serving the Agent API on \(address), \(count) endpoints, \(adopted) adopted")

            if let listen = config.observerListen {
                group.addTask { try await listen.makeServer(service: observer).serve() }
            }
            if let watcher { group.addTask { await watcher.watch() } }
            if let kubernetes { group.addTask { await kubernetes.follow(apply: applyCluster) } }
            group.addTask { await watchLinks(endpoints: endpoints) }
            if let codeTrimmer { group.addTask { await codeTrimmer.run() } }
            group.addTask {
                await FlowIngestion(datapath: datapath, enricher: enricher, pipeline: flows, logger: logger).run()
            }
            for await signo in ShutdownSignals.stream() {
                logger.info("signal \(signo): shutting down, the datapath stays in place")
                break
            }
            server.beginGracefulShutdown()
            group.cancelAll()
        }
        if let history {
            await history.stop()
            let status = history.status
            logger.info("flow history closed: \(status.flowsWritten) flows written this run, \(status.flowsLost) lost to a full queue")
        }
        try? FileManager.default.removeItem(atPath: config.apiSocketPath)
    }

    /// Opens the flow log (repairing a torn tail a crash left: a warning, never fatal) and
    /// starts its writer; nil without `--flow-log`.
    private func openFlowHistory() throws -> FlowHistoryWriter? {
        guard let settings = configuration.flowLog else { return nil }
        var options = FlowLogOptions()
        options.maxTotalBytes = settings.maxTotalBytes
        options.maxSegmentBytes = min(options.maxSegmentBytes, max(settings.maxTotalBytes / 8, 64 << 10))
        options.maxAge = settings.maxAge
        let log: FlowLog
        do {
            log = try FlowLog.open(directory: settings.directory, options: options)
        } catch {
            throw AgentError("--flow-log \(settings.directory): \(error)")
        }
        for note in log.recovery.notes { logger.warning("flow history repaired: \(note)") }
        logger.info("flow history in \(settings.directory): \(log.segmentCount) segments, \(log.totalBytes) bytes")
        let writer = FlowHistoryWriter(log: log, logger: logger)
        writer.start()
        return writer
    }

    /// The service maps (pinned next to the endpoint maps) and, with `--cgroup`, socket-level
    /// translation for the sockets of that cgroup and its descendants (the node's pods).
    private func startServices(readiness: Readiness, flowNames: FlowEnricher, metrics: AgentMetrics) throws -> ServiceEngine {
        let config = configuration
        let datapath = try ServiceDatapath(
            objectDirectory: config.bpfObjectDirectory, pinDirectory: config.pinDirectory, nodeName: config.nodeName)
        if let cgroup = config.cgroupPath {
            let outcome = try datapath.attach(cgroupPath: cgroup)
            logger.info("socket-level service translation \(outcome) on \(cgroup)")
        } else {
            logger.notice("no --cgroup: services are not translated at the socket level")
        }
        if let device = config.uplinkDevice { try attachUplink(device) }
        return ServiceEngine(
            datapath: datapath, nodeName: config.nodeName, stateDirectory: config.stateDirectory, readiness: readiness,
            flowNames: flowNames, metrics: metrics, logger: logger)
    }

    /// NodePort and external IPs: the uplink program shares the pinned service maps and learns
    /// the node's addresses (a NodePort frontend matches any of them).
    private func attachUplink(_ device: String) throws {
        let config = configuration
        let index = Int32(if_nametoindex(device))
        guard index > 0 else { throw AgentError("--uplink \(device): no such interface in the agent's network namespace") }
        let uplink = try UplinkDatapath(objectDirectory: config.bpfObjectDirectory, pinDirectory: config.pinDirectory)
        for replaced in uplink.replacedPins { logger.warning("\(replaced); recreated it empty") }
        let addresses = try NodeAddresses().read().sorted { $0.description < $1.description }
        try uplink.setNodeAddresses(addresses)
        let outcome = try uplink.attach(interfaceIndex: index)
        logger.info("NodePort translation \(outcome) on \(device) for \(addresses.map(\.description).joined(separator: ", "))")
    }

    /// Removes endpoints whose interface disappears without a CNI DEL.
    private func watchLinks(endpoints: EndpointManager) async {
        do {
            for try await event in try LinkEvents() {
                switch event {
                case .removed(let index, _): await endpoints.interfaceRemoved(index: index)
                // Events were lost: compare every endpoint with the kernel's view instead.
                case .overrun: await endpoints.reconcileInterfaces()
                case .added: break
                }
            }
        } catch {
            logger.error("link events stopped, endpoints of vanished interfaces will linger: \(error)")
        }
    }

    private func prepareDirectories() throws {
        let manager = FileManager.default
        for directory in [configuration.stateDirectory, (configuration.apiSocketPath as NSString).deletingLastPathComponent] {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // A socket file left by a killed agent would make bind fail.
        try? manager.removeItem(atPath: configuration.apiSocketPath)
    }
}
