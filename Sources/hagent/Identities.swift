import ArgumentParser
import Foundation
import HedgerowAPI
import HedgerowCLI
import SwiftProtobuf

extension HAgent {
    struct Identities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the security identities the running agent knows: reserved ones and those of pods, with their labels.")

        @OptionGroup var socket: AgentSocketOption
        @Option(name: .shortAndLong, help: "Output: table or json.")
        var output: OutputFormat = .table

        func run() async throws {
            let list = try await withAgent(socketPath: socket.resolved) { try await $0.listIdentities(.init()) }
            switch output {
            case .json: print(try list.jsonString(options: .pretty))
            case .table: print(Self.render(list.identities))
            }
        }

        /// One row per label, as `cilium identity list` prints them, with the pods holding it.
        static func render(_ identities: [Hedgerow_Agent_V1_Identity]) -> String {
            var rows: [[String]] = []
            for identity in identities {
                let pods = identity.pods.joined(separator: ", ")
                for (index, label) in identity.labels.enumerated() {
                    rows.append(index == 0 ? ["\(identity.id)", label, pods] : ["", label, ""])
                }
            }
            return Format.table(header: ["ID", "LABELS", "PODS"], rows: rows)
        }
    }
}
