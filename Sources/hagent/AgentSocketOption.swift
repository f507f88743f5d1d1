import ArgumentParser
import Foundation
import HedgerowAPI

/// `--api-socket`, shared by every command that talks to a running agent.
struct AgentSocketOption: ParsableArguments {
    @Option(name: .customLong("api-socket"), help: "The agent's API socket (default: $HAGENT_SOCKET, else \(AgentSocket.defaultPath)).")
    var path: String?

    var resolved: String {
        path ?? ProcessInfo.processInfo.environment["HAGENT_SOCKET"] ?? AgentSocket.defaultPath
    }
}

enum NodeName {
    static var current: String {
        ProcessInfo.processInfo.environment["HEDGEROW_NODE_NAME"] ?? ProcessInfo.processInfo.hostName
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
