import GRPCCore
import GRPCNIOTransportHTTP2

/// The generated Agent API client, under a name that reads well at call sites.
public typealias AgentClient = Hedgerow_Agent_V1_Agent.Client<HTTP2ClientTransport.Posix>

/// Where an agent listens by default for a node (override with `--api-socket` / `HAGENT_SOCKET`).
public enum AgentSocket {
    public static let defaultPath = "/run/hedgerow/agent.sock"
}

/// Opens a connection to a running agent's unix socket, runs `body`, and closes it.
///
/// Errors thrown while connecting are turned into `AgentUnreachable`, which names the socket:
/// "is hagent running?" is the question every user asks first.
public func withAgent<Result: Sendable>(
    socketPath: String,
    _ body: (AgentClient) async throws -> Result
) async throws -> Result {
    let transport = try HTTP2ClientTransport.Posix(
        target: .unixDomainSocket(path: socketPath),
        transportSecurity: .plaintext,
        config: .defaults { $0.backoff.initial = .milliseconds(50) }
    )
    do {
        return try await withGRPCClient(transport: transport) { client in
            try await body(Hedgerow_Agent_V1_Agent.Client(wrapping: client))
        }
    } catch let error as RPCError where error.code == .unavailable {
        throw AgentUnreachable(socketPath: socketPath, detail: error.message)
    }
}

public struct AgentUnreachable: Error, CustomStringConvertible {
    public let socketPath: String
    public let detail: String
    public var description: String {
        "cannot reach the agent at \(socketPath) (\(detail)); is `hagent run` running for this node?"
    }
}
