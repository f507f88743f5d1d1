import ArgumentParser
import HedgerowAPI
import HedgerowCLI

extension HPolicy {
    struct Trace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which rule allows or denies a connection between two pods or addresses.",
            discussion: """
                --from and --to take a pod (NAMESPACE/POD) or an IP address: a pod's address traces \
                that pod, an address of the node traces the host identity, any other address is \
                what the ipcache says (world, or the identity of a policy's CIDR).

                Exit code 0 when allowed, 1 when denied.
                """)

        @OptionGroup var socket: AgentSocketOption
        @Option(help: "Source: a pod (NAMESPACE/POD) or an IP address.")
        var from: String
        @Option(help: "Destination: a pod (NAMESPACE/POD) or an IP address.")
        var to: String
        @Option(help: "Destination port and protocol, e.g. 80/TCP, 53/UDP, 0/ICMP.")
        var port: String

        func run() async throws {
            let parts = port.split(separator: "/").map(String.init)
            guard (1...2).contains(parts.count), let number = UInt32(parts[0]), number <= 65535 else {
                throw ValidationError("--port must be PORT or PORT/PROTOCOL (e.g. 80/TCP)")
            }
            let request = Hedgerow_Agent_V1_TracePolicyRequest.with {
                $0.from = from
                $0.to = to
                $0.port = number
                $0.protocol = parts.count == 2 ? parts[1].uppercased() : "TCP"
            }
            let trace = try await PolicyCall.run(socket.resolved) { try await $0.tracePolicy(request) }
            print("\(trace.verdict)")
            for line in trace.explanation { print("  \(line)") }
            if trace.verdict != "ALLOWED" { throw ExitCode.failure }
        }
    }
}
