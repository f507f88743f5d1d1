import GRPCCore
import HedgerowAPI
import HedgerowCore

/// `hagent services`: every frontend this node translates, its backends and, for external
/// frontends, how evenly the kernel's Maglev table spreads over them.
extension AgentAPIService {
    func listServices(
        request: Hedgerow_Agent_V1_ListServicesRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_ListServicesResponse {
        let model = services.model
        return .with { response in
            response.services = model.sortedFrontends.map { message(for: $0) }
            response.notes = model.notes.map(\.description)
        }
    }

    private func message(for frontend: ServiceFrontend) -> Hedgerow_Agent_V1_ServiceFrontend {
        .with {
            $0.id = UInt32(frontend.id.rawValue)
            $0.namespace = frontend.service.namespace
            $0.name = frontend.service.name
            $0.frontend = "\(frontend.key.address):\(frontend.key.port)/\(frontend.key.protocol.rawValue)"
            $0.kind = frontend.kind.rawValue
            $0.portName = frontend.portName ?? ""
            $0.trafficPolicy = frontend.trafficPolicy.rawValue
            $0.affinityTimeoutSeconds = frontend.sessionAffinity.timeoutSeconds ?? 0
            $0.backends = frontend.backends.map { backend in
                .with {
                    $0.address = "\(backend.address)"
                    $0.state = backend.state.rawValue
                    $0.nodeName = backend.nodeName ?? ""
                    $0.pod = backend.pod.map { "\($0)" } ?? ""
                }
            }
            if frontend.kind.isExternal, let entries = services.maglevEntries(serviceID: frontend.id.rawValue) {
                $0.maglev = Self.maglevHealth(entries)
            }
        }
    }

    static func maglevHealth(_ entries: [String: UInt32]) -> Hedgerow_Agent_V1_MaglevHealth {
        let size = entries.values.reduce(0, +)
        let even = Double(size) / Double(max(entries.count, 1))
        let deviation = entries.values.map { abs(Double($0) - even) / max(even, 1) * 100 }.max() ?? 0
        return .with {
            $0.tableSize = size
            $0.entriesPerBackend = entries
            $0.maxDeviationPercent = deviation
        }
    }
}
