import HedgerowBPF
import Synchronization

/// The datapath's flow events as an `AsyncSequence`, decoded from `hedgerow_events`.
///
/// Events get lost in two places, both counted: the programs find the ring buffer full
/// (`EndpointDatapath.lostEvents()`, per CPU in the kernel) and this reader's buffer overflows
/// because its consumer lags (`readerDroppedRecords`). Records that do not decode (a datapath
/// of another version) are skipped and counted in `malformedRecords`. One consumer: iterate
/// from one task, once; the sequence ends on `close()` or when the iterator is released.
public final class FlowEvents: AsyncSequence, Sendable {
    public typealias Element = FlowEvent
    public typealias Failure = Never

    private let ring: BPFRingBuffer
    private let malformed = Atomic<Int>(0)

    init(ring: BPFRingBuffer) { self.ring = ring }

    public func makeAsyncIterator() -> Iterator { Iterator(base: ring.makeAsyncIterator(), owner: self) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: BPFRingBuffer.Iterator
        let owner: FlowEvents

        public mutating func next() async -> FlowEvent? {
            while let record = await base.next() {
                if let event = owner.decode(record) { return event }
            }
            return nil
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> FlowEvent? {
            while let record = await base.next(isolation: actor) {
                if let event = owner.decode(record) { return event }
            }
            return nil
        }
    }

    /// Records skipped because they did not decode.
    public var malformedRecords: Int { malformed.load(ordering: .relaxed) }
    /// Records read from the kernel but dropped because the consumer was too far behind.
    public var readerDroppedRecords: Int { ring.droppedRecords }

    /// Stops reading; buffered events are still delivered, then the sequence ends.
    public func close() { ring.close() }

    private func decode(_ record: [UInt8]) -> FlowEvent? {
        do { return try FlowEvent(record: record) } catch {
            malformed.add(1, ordering: .relaxed)
            return nil
        }
    }
}
