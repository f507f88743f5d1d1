import Foundation
import Glibc

/// `hlab serve`: echo servers on TCP and UDP ports inside a pod, like the agnhost server the
/// Kubernetes network-policy tests probe. Every reply is the request, prefixed by `id` and a
/// space when one is given (so a client can tell which backend answered).
public final class EchoServer: Sendable {
    public let tcpPorts: [UInt16]
    public let udpPorts: [UInt16]
    public let id: String?

    public init(tcpPorts: [UInt16], udpPorts: [UInt16], id: String? = nil) {
        self.tcpPorts = tcpPorts
        self.udpPorts = udpPorts
        self.id = id
    }

    /// Binds every port (failing before serving anything if one cannot be bound), calls
    /// `ready`, then serves until the process is killed.
    public func run(ready: () -> Void) throws -> Never {
        let prefix = id.map { Array("\($0) ".utf8) } ?? []
        let tcp = try tcpPorts.map { try TCPEchoListener(port: $0, replyPrefix: prefix) }
        let udp = try udpPorts.map { try UDPEchoListener(port: $0, replyPrefix: prefix) }
        for listener in tcp { Thread.detachNewThread { listener.serve() } }
        for listener in udp { Thread.detachNewThread { listener.serve() } }
        ready()
        while true { pause() }
    }

    /// Parses "80,81" (as `--tcp` and `--udp` take ports).
    public static func parsePorts(_ text: String) -> [UInt16]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let ports = parts.compactMap { UInt16($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 != 0 }
        return ports.count == parts.count && !ports.isEmpty ? ports : nil
    }
}
