import Glibc

/// An IPv4 raw socket for IP protocol 132. The kernel here has no SCTP, so the lab writes and
/// reads SCTP packets itself: sends carry only the SCTP packet (the kernel adds the IP header),
/// receives start with the IP header. Every raw SCTP socket in a namespace gets a copy of every
/// SCTP packet arriving there, so readers filter by addresses, ports and tag.
struct RawSCTPSocket: ~Copyable {
    let fd: Int32

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), SCTPPacket.ipProtocol)
        guard fd >= 0 else { throw SystemError("socket(AF_INET, SOCK_RAW, 132) for SCTP (needs CAP_NET_RAW)") }
    }

    deinit { close(fd) }

    /// Receives only from `address` from now on, and gets the ICMP errors about what it sends
    /// (a connected raw socket reports protocol/port unreachable as ENOPROTOOPT/ECONNREFUSED).
    func connect(to address: UInt32) throws {
        guard Sockets.connect(fd, to: SocketAddress(address: address, port: 0)) == 0 else {
            throw SystemError("connect raw SCTP socket to \(IPv4CIDR.format(address))")
        }
    }

    /// Sends on a connected socket; returns 0 or the errno.
    func send(_ packet: SCTPPacket) -> Int32 {
        let bytes = packet.encoded()
        while true {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent >= 0 { return 0 }
            if errno != EINTR { return errno }
        }
    }

    /// Sends to `address` (raw sockets ignore the port of the address); returns 0 or the errno.
    func send(_ packet: SCTPPacket, to address: UInt32) -> Int32 {
        let bytes = packet.encoded()
        var destination = SocketAddress(address: address, port: 0).sockaddr
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent >= 0 ? 0 : errno
    }

    /// One received IP datagram, or the errno (EINTR included: the caller decides to go on).
    func receive(into buffer: inout [UInt8]) -> Result<IPv4Datagram?, SystemError> {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return .failure(SystemError("recv raw SCTP")) }
        // Not IPv4 or cut short: not for us; callers read on.
        return .success(try? IPv4Datagram(parsing: Array(buffer[..<count])))
    }
}
