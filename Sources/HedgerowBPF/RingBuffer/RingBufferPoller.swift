import CLibBPF
import CLibBPFShim
import Foundation
import Glibc
import Synchronization

/// The thread behind `BPFRingBuffer`: owns libbpf's `struct ring_buffer`, the map descriptor
/// it reads, an epoll descriptor and a wake-up eventfd, and frees them all when it stops.
final class RingBufferPoller: @unchecked Sendable {
    private let ring: OpaquePointer
    private let sink: RecordSink
    private let mapDescriptor: Int32
    private let epollDescriptor: Int32
    private let wakeDescriptor: Int32
    private let timeoutMilliseconds: Int32
    private let stopping = Atomic<Bool>(false)
    /// Whether the wake-up eventfd is still open: stop() may run after the thread closed it.
    private let wakeOpen = Mutex(true)
    private let mapName: String

    /// Takes ownership of `mapDescriptor` once this initialiser succeeds (the caller closes it
    /// on failure). The sink, passed to libbpf unretained, lives as long as `self`.
    init(mapDescriptor: Int32, mapName: String, continuation: AsyncStream<[UInt8]>.Continuation,
         pollTimeout: Duration) throws {
        self.mapName = mapName
        let sink = RecordSink(continuation: continuation)
        let (ring, log) = LibBPF.capturing { () -> (OpaquePointer?, Int32) in
            let ring = ring_buffer__new(mapDescriptor, deliverRecord, Unmanaged.passUnretained(sink).toOpaque(), nil)
            return (ring, ring == nil ? Glibc.errno : 0)
        }
        guard let ringPointer = ring.0 else {
            throw BPFError.system("open ring buffer", errno: ring.1, mapName: mapName, libbpfLog: log)
        }
        // Our own epoll set over libbpf's epoll descriptor and an eventfd, so that stop() wakes
        // the thread at once instead of after the poll timeout.
        var wake: Int32 = -1
        let epoll = clibbpf_waiter_create(ring_buffer__epoll_fd(ringPointer), &wake)
        guard epoll >= 0 else {
            ring_buffer__free(ringPointer)
            throw BPFError.system("watch ring buffer", errno: epoll, mapName: mapName)
        }
        self.ring = ringPointer
        self.sink = sink
        self.mapDescriptor = mapDescriptor
        epollDescriptor = epoll
        wakeDescriptor = wake
        let milliseconds = pollTimeout.components.seconds * 1000 + pollTimeout.components.attoseconds / 1_000_000_000_000_000
        timeoutMilliseconds = Int32(clamping: max(milliseconds, 1))
    }

    var droppedRecords: Int { sink.dropped.load(ordering: .relaxed) }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "bpf-ringbuf-\(mapName)"
        thread.start()
    }

    /// Asks the thread to stop; it finishes the sequence and frees everything. Idempotent.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeOpen.withLock { open in
            if open { _ = clibbpf_waiter_wake(wakeDescriptor) }
        }
    }

    private func run() {
        while !stopping.load(ordering: .acquiring) {
            let ready = clibbpf_waiter_wait(epollDescriptor, timeoutMilliseconds)
            if ready < 0 && ready != -EINTR { break }
            // Consuming is cheap when nothing is pending, and it also covers a missed wake-up.
            if ring_buffer__consume(ring) < 0 { break }
        }
        // Deliver what was submitted up to now, then end the sequence.
        _ = ring_buffer__consume(ring)
        sink.continuation.finish()
        ring_buffer__free(ring)
        Glibc.close(epollDescriptor)
        wakeOpen.withLock { open in
            open = false
            Glibc.close(wakeDescriptor)
        }
        Glibc.close(mapDescriptor)
    }
}

/// Where libbpf's sample callback puts records.
private final class RecordSink: Sendable {
    let continuation: AsyncStream<[UInt8]>.Continuation
    let dropped = Atomic<Int>(0)
    init(continuation: AsyncStream<[UInt8]>.Continuation) { self.continuation = continuation }
}

/// libbpf calls this on the poller thread for each record, with the sink as context.
private let deliverRecord: ring_buffer_sample_fn = { context, data, size in
    guard let context else { return 0 }
    let sink = Unmanaged<RecordSink>.fromOpaque(context).takeUnretainedValue()
    let record = data.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
    if case .dropped = sink.continuation.yield(record) {
        sink.dropped.add(1, ordering: .relaxed)
    }
    return 0
}
