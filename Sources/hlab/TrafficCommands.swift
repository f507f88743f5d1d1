import ArgumentParser
import Foundation
import HedgerowLab

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Echo servers on TCP and UDP ports, SCTP INIT answering on SCTP ports (run inside a pod); prints \"ready\" once listening.")

    @Option(help: "TCP ports: comma-separated (80,81) or repeated (--tcp 80 --tcp 81).")
    var tcp: [String] = []

    @Option(help: "UDP ports: comma-separated or repeated.")
    var udp: [String] = []

    @Option(help: "SCTP ports: comma-separated or repeated. Served over a raw IP socket (needs CAP_NET_RAW).")
    var sctp: [String] = []

    @Option(help: "Prefix every reply with this word (tells clients which server answered).")
    var id: String?

    func run() throws {
        let tcpPorts = try ports(tcp, "--tcp")
        let udpPorts = try ports(udp, "--udp")
        let sctpPorts = try ports(sctp, "--sctp")
        guard !tcpPorts.isEmpty || !udpPorts.isEmpty || !sctpPorts.isEmpty else {
            throw ValidationError("give --tcp, --udp and/or --sctp ports")
        }
        try EchoServer(tcpPorts: tcpPorts, udpPorts: udpPorts, sctpPorts: sctpPorts, id: id).run {
            print("ready")
            fflush(nil)  // all C streams: `stdout` itself is not concurrency-safe to name
        }
    }

    private func ports(_ values: [String], _ flag: String) throws -> [UInt16] {
        try values.flatMap { text in
            guard let ports = EchoServer.parsePorts(text) else { throw ValidationError("\(flag) \(text): expected ports like 80,81") }
            return ports
        }
    }
}

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Connect to HOST:PORT once; exit 0 when connected, 1 when refused or timed out (one line of result).")

    @Argument(help: "The target, an IPv4 address and port (10.244.1.3:80).")
    var target: String

    @Option(help: "tcp, udp or sctp (an INIT answered by an INIT ACK).")
    var `protocol`: String = "tcp"

    @Option(help: "How long to wait (1s, 500ms).")
    var timeout: String = "1s"

    func run() throws {
        guard let address = SocketAddress(parsing: target) else { throw ValidationError("\(target): expected IPV4:PORT") }
        guard let proto = TrafficProtocol(rawValue: `protocol`.lowercased()) else {
            throw ValidationError("--protocol \(`protocol`): expected one of \(TrafficProtocol.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let seconds = ProbeResult.parseTimeout(timeout) else { throw ValidationError("--timeout \(timeout): expected e.g. 1s or 500ms") }
        let result = Prober.probe(address, protocol: proto, timeout: seconds)
        print(result)
        if !result.outcome.succeeded { throw ExitCode(1) }
    }
}
