import Foundation
import HedgerowAPI

/// Assembles `hagent status` from the parts of the running agent.
final class AgentStatusReporter: Sendable {
    let nodeName: String
    private let configuration: AgentConfiguration
    private let startedAt: ContinuousClock.Instant
    private let endpoints: EndpointManager
    private let readiness: Readiness
    private let codeTrimmer: CodePageTrimmer?

    init(
        configuration: AgentConfiguration, startedAt: ContinuousClock.Instant, endpoints: EndpointManager, readiness: Readiness,
        codeTrimmer: CodePageTrimmer?
    ) {
        self.nodeName = configuration.nodeName
        self.configuration = configuration
        self.startedAt = startedAt
        self.endpoints = endpoints
        self.readiness = readiness
        self.codeTrimmer = codeTrimmer
    }

    func report() async -> Hedgerow_Agent_V1_StatusResponse {
        let cluster = await endpoints.clusterState
        let endpointCount = await endpoints.count
        let adopted = await endpoints.adoptedCount
        let ready = readiness.startupToReady
        return .with {
            $0.nodeName = nodeName
            $0.version = HedgerowVersion.current
            $0.uptimeNs = UInt64((ContinuousClock.now - startedAt).nanoseconds)
            $0.ready = ready != nil
            $0.startupToReadyNs = UInt64(ready?.nanoseconds ?? 0)
            $0.endpoints = UInt32(endpointCount)
            $0.namespaces = UInt32(cluster.namespaces.count)
            $0.pods = UInt32(cluster.pods.count)
            $0.pinDir = configuration.pinDirectory
            $0.manifestsDir = configuration.manifestsDirectory ?? ""
            $0.adoptedEndpoints = UInt32(adopted)
            $0.warnings = readiness.warnings
            let memory = ProcessMemory.resident()
            $0.residentMemoryBytes = memory?.total ?? 0
            $0.fileBackedMemoryBytes = memory?.fileBacked ?? 0
            $0.codeTrims = codeTrimmer?.trimCount ?? 0
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

public enum HedgerowVersion {
    public static let current = "0.1.0"
}
