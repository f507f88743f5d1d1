import Foundation
import Glibc

/// `hlab serve`: echo servers on TCP and UDP ports inside a pod, like the agnhost server the
/// Kubernetes network-policy tests probe. Every reply is the request, prefixed by `id` and a
/// space when one is given (so a client can tell which backend answered). SCTP ports answer
/// an INIT with an INIT ACK whose State Cookie is the prefix and "init-ack".
public final class EchoServer: Sendable {
    public let tcpPorts: [UInt16]
    public let udpPorts: [UInt16]
    public let sctpPorts: [UInt16]
    public let id: String?

    public init(tcpPorts: [UInt16], udpPorts: [UInt16], sctpPorts: [UInt16] = [], id: String? = nil) {
        self.tcpPorts = tcpPorts
        self.udpPorts = udpPorts
        self.sctpPorts = sctpPorts
        self.id = id
    }

    /// Binds every port (failing before serving anything if one cannot be bound), calls
    /// `ready`, then serves until the process is killed.
    public func run(ready: () -> Void) throws -> Never {
        let prefix = id.map { Array("\($0) ".utf8) } ?? []
        let tcp = try tcpPorts.map { try TCPEchoListener(port: $0, replyPrefix: prefix) }
        let udp = try udpPorts.map { try UDPEchoListener(port: $0, replyPrefix: prefix) }
        let sctp = try sctpPorts.isEmpty ? nil : SCTPResponder(ports: sctpPorts, replyPrefix: prefix)
        for listener in tcp { Thread.detachNewThread { listener.serve() } }
        for listener in udp { Thread.detachNewThread { listener.serve() } }
        if let sctp { Thread.detachNewThread { sctp.serve() } }
        ready()
        while true { pause() }
    }

    /// Parses "80,81" (as `--tcp`, `--udp` and `--sctp` take ports).
    public static func parsePorts(_ text: String) -> [UInt16]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let ports = parts.compactMap { UInt16($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 != 0 }
        return ports.count == parts.count && !ports.isEmpty ? ports : nil
    }
}
