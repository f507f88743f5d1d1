import Glibc

/// Answers every datagram on one UDP port with the same bytes, prefixed, to its sender.
final class UDPEchoListener: Sendable {
    let fd: Int32  // owned for the life of the process
    let port: UInt16
    let replyPrefix: [UInt8]

    init(port: UInt16, replyPrefix: [UInt8]) throws {
        self.port = port
        self.replyPrefix = replyPrefix
        fd = try Sockets.open(Sockets.datagram)
        do {
            try Sockets.bind(fd, port: port)
        } catch {
            close(fd)
            throw error
        }
    }

    func serve() -> Never {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var peer = sockaddr_in()
            var peerLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &peerLength) }
                }
            }
            guard count >= 0 else { continue }
            let reply = replyPrefix + buffer[..<count]
            _ = reply.withUnsafeBytes { bytes in
                withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes.baseAddress, bytes.count, 0, $0, peerLength) }
                }
            }
        }
    }
}
