import ArgumentParser
import Foundation
import HedgerowLab

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Echo servers on TCP and UDP ports (run inside a pod); prints \"ready\" once listening.")

    @Option(help: "TCP ports, comma-separated (e.g. 80,81).")
    var tcp: String?

    @Option(help: "UDP ports, comma-separated (e.g. 80,81).")
    var udp: String?

    @Option(help: "Prefix every reply with this word (tells clients which server answered).")
    var id: String?

    func run() throws {
        let tcpPorts = try tcp.map { try ports($0, "--tcp") } ?? []
        let udpPorts = try udp.map { try ports($0, "--udp") } ?? []
        guard !tcpPorts.isEmpty || !udpPorts.isEmpty else { throw ValidationError("give --tcp and/or --udp ports") }
        try EchoServer(tcpPorts: tcpPorts, udpPorts: udpPorts, id: id).run {
            print("ready")
            fflush(nil)  // all C streams: `stdout` itself is not concurrency-safe to name
        }
    }

    private func ports(_ text: String, _ flag: String) throws -> [UInt16] {
        guard let ports = EchoServer.parsePorts(text) else { throw ValidationError("\(flag) \(text): expected ports like 80,81") }
        return ports
    }
}

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Connect to HOST:PORT once; exit 0 when connected, 1 when refused or timed out (one line of result).")

    @Argument(help: "The target, an IPv4 address and port (10.244.1.3:80).")
    var target: String

    @Option(help: "tcp or udp.")
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
