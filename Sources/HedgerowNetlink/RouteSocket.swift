import CLibMNL
import Glibc

/// Opening and configuring the libmnl NETLINK_ROUTE sockets behind `NetlinkSocket` and
/// `LinkEvents`. The returned `mnl_socket` belongs to the caller, who must `mnl_socket_close` it.
enum RouteSocket {
    /// Largest datagram the kernel sends us: it sizes dump datagrams to the reader's buffer,
    /// capped at 32 KiB, so twice that never truncates (libmnl reports truncation as ENOSPC).
    static let receiveBufferSize = 64 * 1024

    /// Opens a close-on-exec NETLINK_ROUTE socket in the calling thread's network namespace,
    /// bound to the multicast `groups` (RTMGRP_* bits; 0 for none) with a kernel-chosen port id.
    static func open(groups: UInt32, nonBlocking: Bool, operation: String) throws(NetlinkError) -> OpaquePointer {
        let flags = Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        guard let socket = mnl_socket_open2(NETLINK_ROUTE, flags) else {
            throw NetlinkError(operation: "\(operation): open NETLINK_ROUTE socket", errno: errno)
        }
        guard mnl_socket_bind(socket, groups, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let failure = NetlinkError(operation: "\(operation): bind NETLINK_ROUTE socket", errno: errno)
            mnl_socket_close(socket)
            throw failure
        }
        // Best effort: kernels without these options still work, with terser errors.
        enableOption(socket, NETLINK_EXT_ACK)
        enableOption(socket, NETLINK_CAP_ACK)
        return socket
    }

    private static func enableOption(_ socket: OpaquePointer, _ option: Int32) {
        var on: Int32 = 1
        _ = mnl_socket_setsockopt(socket, option, &on, socklen_t(MemoryLayout<Int32>.size))
    }
}

extension RouteSocket {
    /// The receive buffer a subscription asks for: bursts (a lab starting dozens of pods) then
    /// fit without ENOBUFS. Best effort: root may exceed net.core.rmem_max with SO_RCVBUFFORCE,
    /// others get what SO_RCVBUF allows.
    static let subscriptionReceiveBuffer: Int32 = 4 * 1024 * 1024

    static func enlargeReceiveBuffer(_ socket: OpaquePointer) {
        var size = subscriptionReceiveBuffer
        let descriptor = mnl_socket_get_fd(socket)
        let length = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &size, length) != 0 {
            _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, length)
        }
    }
}
