import CLibMNL
import Glibc

/// The body of `LinkEvents`' reader thread: waits for the socket or the stop signal, decodes
/// RTM_NEWLINK/RTM_DELLINK notifications and hands them to the stream.
///
/// Owns `socket` from construction on and closes it when `run()` returns. Everything else it
/// touches is either thread-safe (the continuation, the stop signal) or private to the thread.
final class LinkEventReader: @unchecked Sendable {
    private let socket: OpaquePointer
    private let stop: StopSignal
    private let continuation: AsyncThrowingStream<LinkEvent, any Error>.Continuation
    /// Lost events not yet reported because the stream's buffer was full (reader thread only).
    private var overrunPending = false

    /// How long one poll(2) waits: the stop signal wakes it at once, so this only bounds how
    /// late a pending `.overrun` is retried and a missed wake-up is noticed.
    private static let idlePollMilliseconds: Int32 = 500
    private static let overrunRetryMilliseconds: Int32 = 20
    private static let operation = "read link events (RTNLGRP_LINK)"

    init(socket: OpaquePointer, stop: StopSignal, continuation: AsyncThrowingStream<LinkEvent, any Error>.Continuation) {
        self.socket = socket
        self.stop = stop
        self.continuation = continuation
    }

    func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: RouteSocket.receiveBufferSize, alignment: MemoryLayout<nlmsghdr>.alignment)
        defer {
            buffer.deallocate()
            mnl_socket_close(socket)
        }
        do {
            while try waitForData() {
                if overrunPending, !deliver(nil) { break }
                guard try drainSocket(into: buffer) else { break }
            }
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
    }

    /// Waits until the socket is readable (true) or a stop was requested (false).
    private func waitForData() throws(NetlinkError) -> Bool {
        while !stop.isRequested {
            var descriptors = [
                pollfd(fd: mnl_socket_get_fd(socket), events: Int16(POLLIN), revents: 0),
                pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0),
            ]
            let timeout = overrunPending ? Self.overrunRetryMilliseconds : Self.idlePollMilliseconds
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw NetlinkError(operation: "\(Self.operation): poll", errno: errno)
            }
            if stop.isRequested { return false }
            // An overflow shows up as POLLERR; reading then reports ENOBUFS.
            if descriptors[0].revents != 0 { return true }
            if overrunPending, !deliver(nil) { return false }
        }
        return false
    }

    /// Reads every datagram queued on the (non-blocking) socket. False when the stream ended.
    private func drainSocket(into buffer: UnsafeMutableRawBufferPointer) throws(NetlinkError) -> Bool {
        while true {
            let received = mnl_socket_recvfrom(socket, buffer.baseAddress, buffer.count)
            if received < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return true
                case EINTR: continue
                case ENOBUFS:
                    overrunPending = true
                    if !deliver(nil) { return false }
                    continue
                default: throw NetlinkError(operation: Self.operation, errno: errno)
                }
            }
            var open = true
            _ = try ReplyRunner.run(
                UnsafeRawBufferPointer(rebasing: buffer[..<received]), sequence: 0, portID: 0,
                operation: Self.operation
            ) { (message) throws(NetlinkError) in
                if open, let event = try Self.event(from: message) { open = deliver(event) }
            }
            if !open { return false }
        }
    }

    /// Yields `event` (nil: only a pending overrun). A pending `.overrun` goes first; while the
    /// buffer is too full to take it, events are dropped, since the consumer must resync
    /// anyway. Returns false once the stream has terminated.
    private func deliver(_ event: LinkEvent?) -> Bool {
        if overrunPending {
            switch continuation.yield(.overrun) {
            case .enqueued: overrunPending = false
            case .dropped: return true
            case .terminated: return false
            @unknown default: return false
            }
        }
        guard let event else { return true }
        switch continuation.yield(event) {
        case .enqueued: return true
        case .dropped:
            overrunPending = true
            return true
        case .terminated: return false
        @unknown default: return false
        }
    }

    static func event(from message: NetlinkMessage) throws(NetlinkError) -> LinkEvent? {
        switch Int(message.type) {
        case Int(RTM_NEWLINK): return .added(try Link(message: message))
        case Int(RTM_DELLINK):
            let link = try Link(message: message)
            return .removed(index: link.index, name: link.name)
        default: return nil
        }
    }
}
