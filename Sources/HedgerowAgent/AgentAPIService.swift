import Foundation
import GRPCCore
import HedgerowAPI
import HedgerowCore

/// The Agent API (proto/hedgerow/agent/v1/agent.proto) served to the CNI plugin and the CLIs.
/// Domain errors become gRPC status codes whose messages are shown to users as they are.
struct AgentAPIService: Hedgerow_Agent_V1_Agent.SimpleServiceProtocol {
    let endpoints: EndpointManager
    let status: AgentStatusReporter
    let services: ServiceEngine
    /// Re-reads the cluster-state source now. A CNI ADD can arrive before the periodic reload
    /// has seen the pod's manifest; one refresh before answering "unknown pod" closes that race.
    let refreshClusterState: @Sendable () async -> Void

    func status(
        request: Hedgerow_Agent_V1_StatusRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_StatusResponse {
        await status.report()
    }

    func registerEndpoint(
        request: Hedgerow_Agent_V1_RegisterEndpointRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_RegisterEndpointResponse {
        let registration = EndpointRequest(
            containerID: request.containerID, namespace: request.namespace, podName: request.podName,
            interfaceName: request.interfaceName, containerInterface: request.containerInterface,
            netns: request.netns, ips: request.ips)
        let record = try await rpc {
            do {
                return try await endpoints.register(registration)
            } catch EndpointError.unknownPod {
                await refreshClusterState()
                return try await endpoints.register(registration)
            }
        }
        let endpoint = await message(for: record)
        return .with { $0.endpoint = endpoint }
    }

    func unregisterEndpoint(
        request: Hedgerow_Agent_V1_UnregisterEndpointRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_UnregisterEndpointResponse {
        let existed = try await rpc { try await endpoints.unregister(containerID: request.containerID) }
        return .with { $0.existed = existed }
    }

    func getEndpoint(
        request: Hedgerow_Agent_V1_GetEndpointRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_Endpoint {
        guard let record = await endpoints.endpoint(containerID: request.containerID) else {
            throw RPCError(code: .notFound, message: "no endpoint for container \(request.containerID)")
        }
        return await message(for: record)
    }

    func listEndpoints(
        request: Hedgerow_Agent_V1_ListEndpointsRequest, context: ServerContext
    ) async throws -> Hedgerow_Agent_V1_ListEndpointsResponse {
        var response = Hedgerow_Agent_V1_ListEndpointsResponse()
        for record in await endpoints.all() {
            response.endpoints.append(await message(for: record))
        }
        return response
    }

    private func message(for record: EndpointRecord) async -> Hedgerow_Agent_V1_Endpoint {
        let traffic = await endpoints.traffic(of: record)
        let labels = await endpoints.labels(of: record)
        let identity = await endpoints.identity(of: record)
        return .with {
            $0.id = record.id
            $0.containerID = record.containerID
            $0.namespace = record.namespace
            $0.podName = record.podName
            $0.interfaceName = record.interfaceName
            $0.interfaceIndex = UInt32(record.interfaceIndex)
            $0.ips = record.ips
            $0.netns = record.netns
            $0.containerInterface = record.containerInterface
            $0.labels = labels
            $0.identity = identity
            $0.state = .ready
            $0.egress = .with { $0.packets = traffic.egress.packets; $0.bytes = traffic.egress.bytes }
            $0.ingress = .with { $0.packets = traffic.ingress.packets; $0.bytes = traffic.ingress.bytes }
            $0.nodeName = status.nodeName
        }
    }

    /// Maps domain errors to status codes; anything unexpected is `internal` with its description.
    func rpc<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EndpointError {
            let code: RPCError.Code =
                switch error {
                case .invalid: .invalidArgument
                case .unknownPod, .noInterface: .failedPrecondition
                case .conflict: .alreadyExists
                case .full: .resourceExhausted
                }
            throw RPCError(code: code, message: error.description)
        } catch let error as PolicyInputError {
            throw RPCError(code: .invalidArgument, message: error.description)
        } catch let error as PolicyTraceError {
            throw RPCError(code: .notFound, message: error.message)
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(code: .internalError, message: String(describing: error))
        }
    }
}
