import Foundation
import GRPCCore
import HedgerowAPI
import HedgerowCNI

/// The plugin's commands. Each returns the process exit code after writing the result (or the
/// CNI error JSON) to stdout.
enum CNIPlugin {
    static func main(environment: [String: String], stdin: Data) async -> Int32 {
        do {
            let invocation = try CNIEnvironment(environment: environment)
            let output: Data
            switch invocation.command {
            case .version:
                output = CNIVersionInfo().json.serialized(pretty: false)
            case .add:
                output = try await add(invocation, config: try config(stdin, for: .add))
            case .del:
                try await delete(invocation, config: try config(stdin, for: .del))
                output = Data()
            case .check:
                try await check(invocation, config: try config(stdin, for: .check))
                output = Data()
            }
            FileHandle.standardOutput.write(output)
            return 0
        } catch let error as CNIError {
            FileHandle.standardOutput.write(error.json.serialized(pretty: true))
            return 1
        } catch {
            let wrapped = CNIError(.other(999), "hedgerow-cni: \(error)")
            FileHandle.standardOutput.write(wrapped.json.serialized(pretty: true))
            return 1
        }
    }

    private static func config(_ stdin: Data, for command: CNICommand) throws(CNIError) -> PluginConfig {
        let network = try CNINetworkConfig(stdin: stdin)
        try network.validate(for: command)
        let own: PluginOptions = try network.decodePluginConfig(PluginOptions.self)
        return PluginConfig(network: network, agentSocket: own.agentSocket ?? AgentSocket.defaultPath)
    }

    /// ADD: register the endpoint, then hand the previous result on unchanged.
    private static func add(_ invocation: CNIEnvironment, config: PluginConfig) async throws -> Data {
        guard let previous = config.network.prevResult else {
            throw CNIError(.invalidNetworkConfig,
                "hedgerow-cni must be chained after a plugin that creates the interface (no prevResult)")
        }
        let request = try EndpointRegistration.request(invocation: invocation, previous: previous)
        _ = try await agentCall(config.agentSocket) { agent in
            try await agent.registerEndpoint(request)
        }
        return previous.jsonData(pretty: false)
    }

    /// DEL must succeed when the endpoint is already gone. An unreachable agent is not an error
    /// either: it removes endpoints whose interface disappeared when it starts again.
    private static func delete(_ invocation: CNIEnvironment, config: PluginConfig) async throws {
        let containerID = invocation.containerID ?? ""
        do {
            _ = try await withAgent(socketPath: config.agentSocket) { agent in
                try await agent.unregisterEndpoint(.with { $0.containerID = containerID })
            }
        } catch let unreachable as AgentUnreachable {
            FileHandle.standardError.write(Data("hedgerow-cni: DEL without agent: \(unreachable)\n".utf8))
        } catch let error as RPCError {
            throw CNIError(.agentRejected, "agent refused DEL of \(containerID): \(error.message)")
        }
    }

    /// CHECK: the agent must have this container's endpoint, ready, on the interface ADD reported.
    private static func check(_ invocation: CNIEnvironment, config: PluginConfig) async throws {
        let containerID = invocation.containerID ?? ""
        let endpoint = try await agentCall(config.agentSocket) { agent in
            try await agent.getEndpoint(.with { $0.containerID = containerID })
        }
        let expected = config.network.prevResult?.hostInterfaces.first?.name
        if let expected, endpoint.interfaceName != expected {
            throw CNIError(.agentRejected,
                "endpoint \(endpoint.id) of \(containerID) is on \(endpoint.interfaceName), expected \(expected)")
        }
        guard endpoint.state == .ready else {
            throw CNIError(.agentRejected, "endpoint \(endpoint.id) of \(containerID) is not ready: \(endpoint.stateReason)")
        }
    }

    /// Runs an agent call, turning transport and API failures into CNI errors a runtime shows.
    private static func agentCall<T: Sendable>(
        _ socket: String, _ body: (AgentClient) async throws -> T
    ) async throws -> T {
        do {
            return try await withAgent(socketPath: socket, body)
        } catch let unreachable as AgentUnreachable {
            throw CNIError(.tryAgainLater, unreachable.description)
        } catch let error as RPCError {
            throw CNIError(.agentRejected, error.message)
        }
    }
}

/// hedgerow-cni's own keys in the network configuration.
struct PluginOptions: Decodable {
    /// The agent's API socket (default /run/hedgerow/agent.sock).
    var agentSocket: String?
}

struct PluginConfig {
    var network: CNINetworkConfig
    var agentSocket: String
}

extension CNIErrorCode {
    /// Plugin-specific (codes from 100 are the plugin's): the agent refused the request.
    static let agentRejected = CNIErrorCode.other(100)
}
