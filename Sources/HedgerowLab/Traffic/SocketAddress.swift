import Glibc

/// An IPv4 address and port, convertible to `sockaddr_in` for the socket calls.
public struct SocketAddress: Equatable, Sendable, CustomStringConvertible {
    public let address: UInt32
    public let port: UInt16

    public init(address: UInt32, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// "10.244.1.2:80" (IPv4 literals only: lab pods have no DNS).
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"),
              let address = IPv4CIDR.parseAddress(String(text[..<colon])),
              let port = UInt16(text[text.index(after: colon)...]), port != 0
        else { return nil }
        self.init(address: address, port: port)
    }

    public var description: String { "\(IPv4CIDR.format(address)):\(port)" }

    var sockaddr: sockaddr_in {
        var value = sockaddr_in()
        value.sin_family = sa_family_t(AF_INET)
        value.sin_port = port.bigEndian
        value.sin_addr.s_addr = address.bigEndian
        return value
    }

    init(_ value: sockaddr_in) {
        self.init(address: UInt32(bigEndian: value.sin_addr.s_addr), port: UInt16(bigEndian: value.sin_port))
    }
}

/// Thin wrappers over the socket calls that take `sockaddr_in` by pointer.
enum Sockets {
    static let stream = Int32(SOCK_STREAM.rawValue)
    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let nonBlocking = Int32(SOCK_NONBLOCK.rawValue)

    static func open(_ type: Int32) throws -> Int32 {
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        return fd
    }

    static func bind(_ fd: Int32, port: UInt16) throws {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = SocketAddress(address: 0, port: port).sockaddr
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw SystemError("bind 0.0.0.0:\(port)") }
    }

    static func connect(_ fd: Int32, to target: SocketAddress) -> Int32 {
        var address = target.sockaddr
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    static func setReceiveTimeout(_ fd: Int32, seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Waits for `events` on one descriptor; returns the revents, 0 on timeout, -1 on error.
    static func wait(_ fd: Int32, for events: Int16, milliseconds: Int32) -> Int16 {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready < 0 ? -1 : (ready == 0 ? 0 : entry.revents)
        }
    }
}
