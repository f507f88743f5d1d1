import GRPCCore
import HedgerowAPI
import HedgerowCore
import SwiftProtobuf

/// Hubble's `observer.Observer` service over the agent's flow store: GetFlows, ServerStatus and
/// GetNodes (this node). Register it on the agent's API server and, optionally, on a TCP
/// listener (ObserverListener).
public struct ObserverService: Observer_Observer.SimpleServiceProtocol {
    let store: FlowStore
    let nodeName: String
    let version: String
    /// What GetNodes reports as this node's address and TLS state.
    let address: String
    let tlsServerName: String?
    /// Flows older than the ring (the agent's flow log), if kept.
    let history: (any FlowHistorySource)?

    public init(
        store: FlowStore, nodeName: String, version: String = "hedgerow", address: String = "", tlsServerName: String? = nil,
        history: (any FlowHistorySource)? = nil
    ) {
        self.store = store
        self.history = history
        self.nodeName = nodeName
        self.version = version
        self.address = address
        self.tlsServerName = tlsServerName
    }

    public func getFlows(
        request: Observer_GetFlowsRequest, response: RPCWriter<Observer_GetFlowsResponse>, context: ServerContext
    ) async throws {
        let query: FlowQuery
        do {
            query = try FlowQuery(request)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
        var cursor = store.cursor(for: query, history: history)
        while let batch = await cursor.next() {
            try await response.write(contentsOf: batch.map { Observer_GetFlowsResponse($0, nodeName: nodeName) })
        }
    }

    public func serverStatus(
        request: Observer_ServerStatusRequest, context: ServerContext
    ) async throws -> Observer_ServerStatusResponse {
        let status = store.status
        return .with {
            $0.numFlows = UInt64(status.held)
            $0.maxFlows = UInt64(status.capacity)
            $0.seenFlows = status.seenFlows
            $0.uptimeNs = Self.nanoseconds(status.uptime)
            $0.version = version
            $0.flowsRate = store.flowsRate()
            $0.hedgerowDatapathLostEvents = status.datapathLostEvents
            $0.hedgerowClientLostEvents = status.clientLostEvents
        }
    }

    public func getNodes(request: Observer_GetNodesRequest, context: ServerContext) async throws -> Observer_GetNodesResponse {
        let status = store.status
        let node = Observer_Node.with {
            $0.name = nodeName
            $0.version = version
            $0.address = address
            $0.state = .nodeConnected
            if let tlsServerName {
                $0.tls = .with {
                    $0.enabled = true
                    $0.serverName = tlsServerName
                }
            }
            $0.uptimeNs = Self.nanoseconds(status.uptime)
            $0.numFlows = UInt64(status.held)
            $0.maxFlows = UInt64(status.capacity)
            $0.seenFlows = status.seenFlows
        }
        return .with { $0.nodes = [node] }
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
