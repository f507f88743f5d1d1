import ArgumentParser
import Foundation
import HedgerowAPI
import HedgerowCLI
import SwiftProtobuf

extension HAgent {
    struct Services: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the services the running agent translates: frontends, backends, Maglev tables.")

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "Output: table or json.")
        var output: OutputFormat = .table

        func run() async throws {
            let list = try await withAgent(socketPath: socket.resolved) { try await $0.listServices(.init()) }
            switch output {
            case .json: print(try list.jsonString(options: .pretty))
            case .table:
                print(Self.render(list.services))
                for note in list.notes { print("note: \(note)") }
            }
        }

        /// One row per backend, as `cilium service list` shows them; a frontend without backends
        /// gets one row saying so (its connections are refused, not black-holed).
        static func render(_ services: [Hedgerow_Agent_V1_ServiceFrontend]) -> String {
            let header = ["ID", "SERVICE", "FRONTEND", "KIND", "BACKEND", "STATE", "NODE", "MAGLEV"]
            var rows: [[String]] = []
            for service in services {
                let maglev = service.hasMaglev
                    ? "M=\(service.maglev.tableSize), max skew \(String(format: "%.1f", service.maglev.maxDeviationPercent))%" : ""
                let front = ["\(service.id)", "\(service.namespace)/\(service.name)", service.frontend, service.kind]
                if service.backends.isEmpty {
                    rows.append(front + ["(none: refused)", "", "", maglev])
                }
                for (index, backend) in service.backends.enumerated() {
                    rows.append((index == 0 ? front : ["", "", "", ""]) + [backend.address, backend.state, backend.nodeName, index == 0 ? maglev : ""])
                }
            }
            return Format.table(header: header, rows: rows)
        }
    }
}
