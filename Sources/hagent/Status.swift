import ArgumentParser
import HedgerowCLI
import Foundation
import HedgerowAPI
import SwiftProtobuf

extension HAgent {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the running agent's health and numbers.")

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "Output: table or json.")
        var output: OutputFormat = .table

        func run() async throws {
            let status = try await withAgent(socketPath: socket.resolved) { try await $0.status(.init()) }
            switch output {
            case .json: print(try status.jsonString(options: .pretty))
            case .table: print(Self.render(status))
            }
        }

        static func render(_ s: Hedgerow_Agent_V1_StatusResponse) -> String {
            var rows: [(String, String)] = [
                ("Node", s.nodeName),
                ("Version", s.version),
                ("Ready", s.ready ? "yes (in \(Format.duration(nanoseconds: s.startupToReadyNs)) from start)" : "no"),
                ("Uptime", Format.duration(nanoseconds: s.uptimeNs)),
                ("Endpoints", "\(s.endpoints) (\(s.adoptedEndpoints) adopted at start)"),
                ("Cluster state", "\(s.namespaces) namespaces, \(s.pods) pods"),
                ("Memory (RSS)", Self.memory(s)),
                ("Pinned state", s.pinDir),
            ]
            if !s.manifestsDir.isEmpty { rows.append(("Manifests", s.manifestsDir)) }
            for warning in s.warnings { rows.append(("Warning", warning)) }
            let width = rows.map(\.0.count).max() ?? 0
            return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
                .joined(separator: "\n")
        }

        static func memory(_ s: Hedgerow_Agent_V1_StatusResponse) -> String {
            let trims = s.codeTrims == 1 ? "once" : "\(s.codeTrims) times"
            return "\(Format.bytes(s.residentMemoryBytes)) (\(Format.bytes(max(s.residentMemoryBytes, s.fileBackedMemoryBytes) - s.fileBackedMemoryBytes)) private;"
                + " code pages trimmed \(trims))"
        }
    }
}


extension JSONEncodingOptions {
    static var pretty: JSONEncodingOptions {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return options
    }
}
