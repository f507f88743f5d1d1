import Foundation
import Glibc

/// Accepts TCP connections on one port; for each, reads what the client sends up to a newline
/// (or the client's shutdown, or one second), writes it back with the prefix, and closes.
final class TCPEchoListener: Sendable {
    let fd: Int32  // owned for the life of the process: the server runs until killed
    let port: UInt16
    let replyPrefix: [UInt8]

    init(port: UInt16, replyPrefix: [UInt8]) throws {
        self.port = port
        self.replyPrefix = replyPrefix
        fd = try Sockets.open(Sockets.stream)
        do {
            try Sockets.bind(fd, port: port)
            guard listen(fd, 128) == 0 else { throw SystemError("listen tcp \(port)") }
        } catch {
            close(fd)
            throw error
        }
    }

    func serve() -> Never {
        while true {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { continue }  // EINTR, ECONNABORTED: keep serving
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let prefix = replyPrefix
            DispatchQueue.global().async { Self.echo(on: connection, prefix: prefix) }
        }
    }

    /// Owns `connection` and closes it.
    static func echo(on connection: Int32, prefix: [UInt8]) {
        defer { close(connection) }
        Sockets.setReceiveTimeout(connection, seconds: 1)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 65536 && !received.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            received += buffer[..<count]
        }
        _ = Sockets.sendAll(connection, prefix + received)
    }
}
