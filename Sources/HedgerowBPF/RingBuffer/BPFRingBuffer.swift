import CLibBPF
import Glibc
import Synchronization

/// Records from a `BPF_MAP_TYPE_RINGBUF` map as an `AsyncSequence` of raw bytes, one element per
/// record the programs submitted, in submission order.
///
/// A dedicated thread waits on the ring buffer's epoll descriptor (and on a wake-up eventfd,
/// with a timeout as a backstop) and consumes records as they arrive; the async side never
/// blocks an executor thread. The sequence ends when `close()` is called, when the consuming
/// task is cancelled, when the iterator is released (e.g. `break` out of `for await`), or when
/// the ring buffer is released; the thread then delivers what is pending, stops and frees its
/// resources. One consumer: iterate it from one task, once.
///
/// When the consumer falls more than `bufferCapacity` records behind, the newest records are
/// dropped and counted in `droppedRecords` (the kernel side keeps draining, so programs do not
/// start failing their reservations because of a slow reader).
///
/// File descriptors: the ring buffer holds its own duplicate of the map's descriptor plus an
/// epoll and an eventfd descriptor, all closed when the thread stops.
public final class BPFRingBuffer: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = Never

    private let stream: AsyncStream<[UInt8]>
    private let poller: RingBufferPoller

    /// Starts reading `map`, which must be a ring buffer map.
    public init(_ map: BPFMapHandle, bufferCapacity: Int = 65_536, pollTimeout: Duration = .milliseconds(500)) throws {
        guard map.type == .ringBuffer else {
            throw BPFError(kind: .invalidArgument, operation: "open ring buffer", mapName: map.name,
                           detail: "\(map.type) is not a ring buffer map")
        }
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingOldest(bufferCapacity))
        let fd = try map.descriptor.duplicate(orThrow: .closed("open ring buffer", mapName: map.name))
        do {
            poller = try RingBufferPoller(mapDescriptor: fd, mapName: map.name, continuation: continuation,
                                          pollTimeout: pollTimeout)
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.stream = stream
        continuation.onTermination = { [poller] _ in poller.stop() }
        poller.start()
    }

    deinit { poller.stop() }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: stream.makeAsyncIterator(), reading: ReadingLifetime(poller: poller))
    }

    /// Iterates the records; releasing it stops the reader thread (an `AsyncStream` iterator
    /// alone would not: its producer keeps going after a `break`).
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<[UInt8]>.Iterator
        let reading: ReadingLifetime

        public mutating func next() async -> [UInt8]? { await base.next() }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> [UInt8]? {
            await base.next(isolation: actor)
        }
    }

    /// Stops the reader thread when the last copy of an iterator goes.
    final class ReadingLifetime: Sendable {
        let poller: RingBufferPoller
        init(poller: RingBufferPoller) { self.poller = poller }
        deinit { poller.stop() }
    }

    /// Stops reading: records already buffered are still delivered, then the sequence ends.
    public func close() { poller.stop() }

    /// Records read from the kernel but dropped because the consumer was too far behind.
    public var droppedRecords: Int { poller.droppedRecords }
}
