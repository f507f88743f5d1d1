import Foundation
import Glibc

/// Connects (non-blocking, bounded by the timeout), sends one line and reads the answer.
/// "connected" means the handshake completed; the reply is reported when one arrives in time.
enum TCPProbe {
    static func run(_ target: SocketAddress, message: String, timeout: Double) -> ProbeOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        let fd: Int32
        do { fd = try Sockets.open(Sockets.stream | Sockets.nonBlocking) } catch { return .failed("\(error)") }
        defer { close(fd) }

        if Sockets.connect(fd, to: target) != 0 {
            guard errno == EINPROGRESS else { return outcome(forErrno: errno) }
            let events = Sockets.wait(fd, for: Int16(POLLOUT), milliseconds: remaining(deadline))
            if events == 0 { return .timeout }
            if events < 0 { return .failed(SystemError("poll").description) }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 { return outcome(forErrno: error) }
        }

        guard Sockets.sendAll(fd, Array(message.utf8)) else { return .connected(reply: "") }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !reply.contains(UInt8(ascii: "\n")) {
            let events = Sockets.wait(fd, for: Int16(POLLIN), milliseconds: remaining(deadline))
            guard events > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            reply += buffer[..<count]
        }
        return .connected(reply: String(decoding: reply, as: UTF8.self))
    }

    static func outcome(forErrno code: Int32) -> ProbeOutcome {
        switch code {
        case ECONNREFUSED: .refused
        case ETIMEDOUT: .timeout
        default: .failed(SystemError("connect", errno: code).description)
        }
    }

    static func remaining(_ deadline: Date) -> Int32 {
        Int32(max(0, min(Double(Int32.max), deadline.timeIntervalSinceNow * 1000)).rounded(.up))
    }
}
