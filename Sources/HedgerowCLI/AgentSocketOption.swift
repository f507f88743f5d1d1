import ArgumentParser
import Foundation
import HedgerowAPI

/// `--api-socket`, shared by every command that talks to a running agent (hagent, hpolicy).
public struct AgentSocketOption: ParsableArguments {
    @Option(name: .customLong("api-socket"), help: "The agent's API socket (default: $HAGENT_SOCKET, else \(AgentSocket.defaultPath)).")
    public var path: String?

    public init() {}

    public var resolved: String {
        path ?? ProcessInfo.processInfo.environment["HAGENT_SOCKET"] ?? AgentSocket.defaultPath
    }
}

public enum NodeName {
    public static var current: String {
        ProcessInfo.processInfo.environment["HEDGEROW_NODE_NAME"] ?? ProcessInfo.processInfo.hostName
    }
}

/// `-o` of the inspection commands.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}
