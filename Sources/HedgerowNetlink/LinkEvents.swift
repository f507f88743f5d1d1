import CLibMNL
import Foundation

/// A subscription to the link changes of a network namespace (rtnetlink group RTNLGRP_LINK),
/// as an `AsyncSequence` of `LinkEvent`.
///
/// - Network namespace: events come from the namespace of the thread that created the
///   subscription, whichever thread later iterates it.
/// - Threading: the socket is read on a dedicated thread, which waits in poll(2), so consuming
///   never blocks a thread of the Swift concurrency pool.
/// - Ownership: the subscription owns one netlink socket (owned and closed by the reader thread
///   when it exits) and one eventfd used to wake that thread (closed when the last reference to
///   it goes away).
/// - Lifetime: the sequence ends (the iterator returns nil) after `close()`, when the consuming
///   task is cancelled, or when every copy of the subscription and its iterator is gone. A
///   socket error other than ENOBUFS ends it by throwing a `NetlinkError`.
/// - Loss: the subscription is active when `init` returns, so changes made afterwards are seen.
///   At most `bufferLimit` events wait for the consumer; events beyond that, or ones the kernel
///   could not queue (ENOBUFS), are replaced by one `.overrun` event: resynchronise with a dump.
/// - One consumer: iterate it from one task at a time.
public struct LinkEvents: AsyncSequence, Sendable {
    public typealias Element = LinkEvent

    private let stream: AsyncThrowingStream<LinkEvent, any Error>
    private let lifetime: Lifetime

    /// Subscribes in the calling thread's namespace and starts the reader thread.
    public init(bufferLimit: Int = 4096) throws(NetlinkError) {
        let operation = "subscribe to link events (RTNLGRP_LINK)"
        let stop = try StopSignal(operation: operation)
        let socket = try RouteSocket.open(groups: UInt32(RTMGRP_LINK), nonBlocking: true, operation: operation)
        RouteSocket.enlargeReceiveBuffer(socket)
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: LinkEvent.self, bufferingPolicy: .bufferingOldest(Swift.max(1, bufferLimit)))
        continuation.onTermination = { _ in stop.request() }
        let reader = LinkEventReader(socket: socket, stop: stop, continuation: continuation)
        let thread = Thread { reader.run() }
        thread.name = "hedgerow-netlink-link-events"
        thread.start()
        self.stream = stream
        self.lifetime = Lifetime(stop: stop)
    }

    /// Stops the subscription: the reader thread wakes, closes the socket and ends the sequence
    /// after the events already buffered. Calling it again does nothing.
    public func close() { lifetime.stop.request() }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: stream.makeAsyncIterator(), lifetime: lifetime)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<LinkEvent, any Error>.Iterator
        let lifetime: Lifetime

        /// The next event; nil once the subscription has ended. Throws `NetlinkError` when the
        /// socket failed.
        public mutating func next() async throws -> LinkEvent? { try await base.next() }
    }

    /// Stops the reader when the last subscription copy or iterator referencing it is gone.
    final class Lifetime: Sendable {
        let stop: StopSignal
        init(stop: StopSignal) { self.stop = stop }
        deinit { stop.request() }
    }
}
