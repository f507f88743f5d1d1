import ArgumentParser
import HedgerowCLI
import Foundation
import HedgerowAPI
import SwiftProtobuf

extension HAgent {
    struct Endpoints: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the endpoints (pods) the running agent manages.")

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "Output: table or json.")
        var output: OutputFormat = .table

        func run() async throws {
            let list = try await withAgent(socketPath: socket.resolved) { try await $0.listEndpoints(.init()) }
            switch output {
            case .json: print(try list.jsonString(options: .pretty))
            case .table: print(Self.render(list.endpoints))
            }
        }

        static func render(_ endpoints: [Hedgerow_Agent_V1_Endpoint]) -> String {
            let header = ["ENDPOINT", "NAMESPACE", "POD", "INTERFACE", "IPS", "IDENTITY", "STATE", "EGRESS", "INGRESS"]
            let rows = endpoints.map { e in
                [
                    "\(e.id)", e.namespace, e.podName, "\(e.interfaceName) (\(e.interfaceIndex))",
                    e.ips.joined(separator: ","), "\(e.identity)", e.state == .ready ? "ready" : "not-ready",
                    Format.traffic(e.egress), Format.traffic(e.ingress),
                ]
            }
            return Format.table(header: header, rows: rows)
        }
    }
}
