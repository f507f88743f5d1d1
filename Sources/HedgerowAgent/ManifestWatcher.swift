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
    let endpoints: EndpointManager
    let readiness: Readiness
    let logger: Logger

    /// Loads once; returns whether the state was accepted.
    @discardableResult
    func reload() async -> Bool {
        do {
            let (state, warnings) = try ClusterState.load(files: try directory.read())
            for warning in warnings { logger.warning("\(warning)") }
            readiness.setWarnings(warnings.map { "\($0)" }, source: "manifests")
            await endpoints.updateCluster(state)
            logger.info("cluster state: \(state.namespaces.count) namespaces, \(state.pods.count) pods")
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
