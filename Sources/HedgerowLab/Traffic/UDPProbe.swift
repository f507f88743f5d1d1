import Foundation
import Glibc

/// Sends a datagram on a connected UDP socket (so an ICMP port-unreachable surfaces as
/// ECONNREFUSED) and waits for the echo carrying the same token. The datagram is sent again
/// at each third of the timeout: one lost packet must not read as "blocked".
enum UDPProbe {
    static func run(_ target: SocketAddress, message: String, timeout: Double) -> ProbeOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        let fd: Int32
        do { fd = try Sockets.open(Sockets.datagram) } catch { return .failed("\(error)") }
        defer { close(fd) }
        guard Sockets.connect(fd, to: target) == 0 else { return TCPProbe.outcome(forErrno: errno) }

        let token = message.trimmingCharacters(in: .newlines)
        let payload = Array(message.utf8)
        var buffer = [UInt8](repeating: 0, count: 65536)
        for attempt in 0..<3 {
            let sent = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            if sent < 0 && errno == ECONNREFUSED { return .refused }
            let attemptDeadline = attempt == 2 ? deadline : Date().addingTimeInterval(timeout / 3)
            while true {
                let events = Sockets.wait(fd, for: Int16(POLLIN), milliseconds: TCPProbe.remaining(attemptDeadline))
                if events == 0 { break }
                if events < 0 { return .failed(SystemError("poll").description) }
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count < 0 {
                    if errno == ECONNREFUSED { return .refused }
                    if errno == EINTR { continue }
                    return .failed(SystemError("recv").description)
                }
                let reply = String(decoding: buffer[..<count], as: UTF8.self)
                if reply.contains(token) { return .connected(reply: reply) }
            }
        }
        return .timeout
    }
}
