import HedgerowCore
import HedgerowKubernetes
import Logging

/// Cluster mode: lists and watches the API server and hands every state to the agent exactly
/// as the manifests directory does, so nothing downstream can tell the sources apart.
struct KubernetesFeed: Sendable {
    let client: KubernetesAPIClient
    let source: KubernetesSource
    let readiness: Readiness
    let logger: Logger

    init(config: KubernetesClusterConfig, readiness: Readiness, logger: Logger) throws {
        client = try KubernetesAPIClient(config: config)
        source = KubernetesSource(client: client, logger: logger)
        self.readiness = readiness
        self.logger = logger
    }

    /// Runs the reflectors until cancelled (start it before `firstState`).
    func run() async {
        await source.run()
        await client.shutdown()
    }

    /// Waits until every resource has been listed once, then hands over that state: the agent
    /// must not enforce pods without their policies. Logged while waiting (RBAC, a down API).
    func firstState(apply: @Sendable (ClusterState) async -> Void) async {
        let waiting = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                if Task.isCancelled { break }
                let pending = await source.status().filter { !$0.hasSynced }.map { "\($0.resource)" }
                logger.notice("waiting for the API server to list: \(pending.joined(separator: ", "))")
            }
        }
        await source.waitUntilReady()
        waiting.cancel()
        if let state = await source.currentState() { await publish(state, apply: apply) }
    }

    /// Every later state, coalesced by the source, until cancelled.
    func follow(apply: @Sendable (ClusterState) async -> Void) async {
        for await state in source.states { await publish(state, apply: apply) }
    }

    private func publish(_ state: ClusterState, apply: @Sendable (ClusterState) async -> Void) async {
        await apply(state)
        readiness.setWarnings(await source.warnings(), source: "kubernetes")
    }
}
