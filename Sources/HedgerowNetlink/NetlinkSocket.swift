import CLibMNL
import Glibc
import Synchronization

/// An rtnetlink (NETLINK_ROUTE) socket for requests: dumps, lookups and small changes.
///
/// - Network namespace: a netlink socket talks to the namespace of the thread that opened it,
///   for its whole life. Open it on a thread that is in the namespace you mean (the agent runs
///   wholly inside its node's namespace, so any thread will do there).
/// - Ownership: the socket owns one `mnl_socket` (and so one file descriptor). `close()`
///   releases it and may be called more than once; `deinit` closes it if nobody did. After
///   `close()` every request throws `NetlinkError` with `EBADF`.
/// - Concurrency: requests are serialized by an internal lock, so one socket can be shared by
///   tasks and threads. A request blocks its thread for one kernel round trip (a full dump
///   takes about a millisecond); call it off hot paths.
/// - Protocol: each request gets the next sequence number; replies are matched on sequence and
///   port id, NLMSG_ERROR carries errno (and the kernel's extended-ACK message), dumps end with
///   NLMSG_DONE and are retried when the kernel reports them interrupted (NLM_F_DUMP_INTR).
public final class NetlinkSocket: Sendable {
    /// The port id the kernel bound this socket to.
    public let portID: UInt32
    private let state: Mutex<State>

    /// Touched only under `state`'s lock, which is what makes sharing its pointers safe.
    private struct State: @unchecked Sendable {
        var socket: OpaquePointer?
        var nextSequence: UInt32
        let receiveBuffer: UnsafeMutableRawBufferPointer
    }

    /// Opens a socket in the calling thread's network namespace.
    public init() throws(NetlinkError) {
        let socket = try RouteSocket.open(groups: 0, nonBlocking: false, operation: "open netlink request socket")
        portID = mnl_socket_get_portid(socket)
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: RouteSocket.receiveBufferSize, alignment: MemoryLayout<nlmsghdr>.alignment)
        // Start from the clock, as libmnl's examples do, so replies to an earlier process that
        // had the same port id cannot match.
        state = Mutex(State(socket: socket, nextSequence: UInt32(truncatingIfNeeded: time(nil)), receiveBuffer: buffer))
    }

    deinit {
        close()
        state.withLock { $0.receiveBuffer.deallocate() }
    }

    /// Closes the socket. Later requests throw `EBADF`; calling it again does nothing.
    public func close() {
        state.withLock { state in
            if let socket = state.socket { mnl_socket_close(socket) }
            state.socket = nil
        }
    }

    /// The largest request any method builds (a header, a family header and a name or two).
    private static let requestBufferSize = 512
    /// How often a dump the kernel marks as interrupted (the table changed under it) is redone.
    private static let dumpAttempts = 5

    /// Sends one request and reads its whole reply, calling `onMessage` for each data message.
    ///
    /// `build` fills in the family header and attributes after the netlink header has been
    /// written (type, flags, sequence). Non-dump requests must ask for an ACK (NLM_F_ACK) so the
    /// reply has a definite end.
    func perform(
        _ operation: String, type: Int, flags: Int32,
        build: (UnsafeMutablePointer<nlmsghdr>) -> Void,
        onMessage: (NetlinkMessage) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        try state.withLock { (state) throws(NetlinkError) in
            guard let socket = state.socket else { throw NetlinkError(operation: operation, errno: EBADF) }
            state.nextSequence &+= 1
            if state.nextSequence == 0 { state.nextSequence = 1 }  // 0 means "any" to the reply runner
            let sequence = state.nextSequence
            try send(socket, operation: operation, type: type, flags: flags, sequence: sequence, build: build)
            try receiveReply(socket, into: state.receiveBuffer, sequence: sequence, operation: operation, onMessage: onMessage)
        }
    }

    /// A dump (NLM_F_DUMP) collecting one value per message; `decode` returns nil to skip one.
    /// A dump the kernel marks interrupted (the table changed while it spanned several
    /// datagrams) is redone, up to `dumpAttempts` times in all.
    func dump<Value>(
        _ operation: String, type: Int,
        build: (UnsafeMutablePointer<nlmsghdr>) -> Void,
        decode: (NetlinkMessage) throws(NetlinkError) -> Value?
    ) throws(NetlinkError) -> [Value] {
        var attempt = 1
        while true {
            var values: [Value] = []
            do {
                try perform(operation, type: type, flags: NLM_F_REQUEST | NLM_F_DUMP, build: build) {
                    (message) throws(NetlinkError) in
                    if let value = try decode(message) { values.append(value) }
                }
                return values
            } catch where error.errno == EINTR {
                guard attempt < Self.dumpAttempts else {
                    throw NetlinkError(
                        operation: "\(operation), interrupted \(attempt) times by concurrent changes", errno: EINTR)
                }
                attempt += 1
            }
        }
    }

    private func send(
        _ socket: OpaquePointer, operation: String, type: Int, flags: Int32, sequence: UInt32,
        build: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) throws(NetlinkError) {
        let sent = withUnsafeTemporaryAllocation(
            byteCount: Self.requestBufferSize, alignment: MemoryLayout<nlmsghdr>.alignment
        ) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let header = mnl_nlmsg_put_header(buffer.baseAddress)!
            header.pointee.nlmsg_type = UInt16(type)
            header.pointee.nlmsg_flags = UInt16(flags)
            header.pointee.nlmsg_seq = sequence
            build(header)
            precondition(Int(header.pointee.nlmsg_len) <= buffer.count, "netlink request overflows its buffer")
            return mnl_socket_sendto(socket, header, Int(header.pointee.nlmsg_len))
        }
        if sent < 0 { throw NetlinkError(operation: operation, errno: errno) }
    }

    /// Reads datagrams until the reply to `sequence` is complete. A message `onMessage` cannot
    /// decode does not stop the reading: the rest of the reply is read (and skipped) first, so
    /// the socket is left clean for the next request, and then the decoding error is thrown.
    private func receiveReply(
        _ socket: OpaquePointer, into buffer: UnsafeMutableRawBufferPointer, sequence: UInt32, operation: String,
        onMessage: (NetlinkMessage) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        var decodingFailure: NetlinkError?
        while true {
            let datagram = try receive(socket, into: buffer, operation: operation)
            let progress: ReplyRunner.Progress
            do throws(NetlinkError) {
                progress = try ReplyRunner.run(datagram, sequence: sequence, portID: portID, operation: operation) {
                    (message) throws(NetlinkError) in
                    guard decodingFailure == nil else { return }
                    do throws(NetlinkError) { try onMessage(message) } catch { decodingFailure = error }
                }
            } catch where error.errno == EINTR {
                // libmnl stops at the first message of a dump the kernel marked interrupted;
                // the rest of the dump is still queued, and the kernel refuses a new dump on
                // this socket (EBUSY) until it has been read.
                discardReply(socket, into: buffer, sequence: sequence, startingWith: datagram, operation: operation)
                throw error
            }
            if progress == .complete { break }
        }
        if let decodingFailure { throw decodingFailure }
    }

    private func receive(
        _ socket: OpaquePointer, into buffer: UnsafeMutableRawBufferPointer, operation: String
    ) throws(NetlinkError) -> UnsafeRawBufferPointer {
        while true {
            let received = mnl_socket_recvfrom(socket, buffer.baseAddress, buffer.count)
            if received >= 0 { return UnsafeRawBufferPointer(rebasing: buffer[..<received]) }
            if errno != EINTR { throw NetlinkError(operation: operation, errno: errno) }
        }
    }

    /// Reads and drops datagrams until the one holding the end (NLMSG_DONE or NLMSG_ERROR) of
    /// the reply to `sequence`, beginning with `datagram`, already in hand.
    private func discardReply(
        _ socket: OpaquePointer, into buffer: UnsafeMutableRawBufferPointer, sequence: UInt32,
        startingWith datagram: UnsafeRawBufferPointer, operation: String
    ) {
        var current = datagram
        while !Self.holdsEnd(of: sequence, current) {
            guard let next = try? receive(socket, into: buffer, operation: operation) else { return }
            current = next
        }
    }

    static func holdsEnd(of sequence: UInt32, _ datagram: UnsafeRawBufferPointer) -> Bool {
        guard let base = datagram.baseAddress else { return false }
        var header: UnsafePointer<nlmsghdr>? = base.assumingMemoryBound(to: nlmsghdr.self)
        var remaining = Int32(clamping: datagram.count)
        while let current = header, mnl_nlmsg_ok(current, remaining) {
            let type = Int32(current.pointee.nlmsg_type)
            if current.pointee.nlmsg_seq == sequence, type == NLMSG_DONE || type == NLMSG_ERROR { return true }
            header = UnsafePointer(mnl_nlmsg_next(current, &remaining))
        }
        return false
    }
}
