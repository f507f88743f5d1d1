import Foundation
import HedgerowCore
import Logging

/// Keeps the endpoint manager's cluster state in step with the manifests directory.
///
/// A directory that fails to parse changes nothing: the last good state stays in force and the
/// errors (file, document, object, field) go to the log and to `hagent status` warnings.
struct ManifestWatcher: Sendable {
    let directory: ManifestDirectory
    let interval: Duration
    /// Hands an accepted state to the agent's consumers (endpoints and policy, services).
    let apply: @Sendable (ClusterState) async -> Void
    let readiness: Readiness
    let logger: Logger

    /// Loads once; returns whether the state was accepted.
    @discardableResult
    func reload() async -> Bool {
        do {
            let (state, warnings) = try ClusterState.load(files: try directory.read())
            for warning in warnings { logger.warning("\(warning)") }
            readiness.setWarnings(warnings.map { "\($0)" }, source: "manifests")
            await apply(state)
            logger.info(
                "cluster state: \(state.namespaces.count) namespaces, \(state.pods.count) pods, \(state.services.count) services")
            return true
        } catch {
            logger.error("manifests rejected, keeping the previous state: \(error)")
            readiness.setWarnings(["rejected, previous state kept: \(error)"], source: "manifests")
            return false
        }
    }

    /// Polls the directory's fingerprint and reloads on change, until cancelled.
    func watch() async {
        var seen = directory.fingerprint()
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = directory.fingerprint()
            guard now != seen else { continue }
            seen = now
            await reload()
        }
    }
}
