import HedgerowCore

/// When the writer asks the kernel to put data on disk (fsync). Without it a crash can lose
/// the blocks the page cache held; the log still reopens cleanly, trimming any torn tail.
public enum FlowLogSync: Sendable {
    case never
    /// On every `flush()` and `close()`.
    case onFlush
    /// After every block written (and on flush).
    case everyBlock
}

public struct FlowLogOptions: Sendable {
    /// A segment is closed and a new one started once it reaches this size.
    public var maxSegmentBytes: Int = 16 << 20
    /// Oldest segments are deleted while the log is larger (checked at open and each rotation;
    /// the segment being written is never deleted, so use can exceed this by one segment).
    public var maxTotalBytes: Int = 256 << 20
    /// Segments whose newest flow is older than this are deleted; nil keeps them.
    public var maxAge: Duration?
    /// A block is sealed at this many flows ...
    public var blockMaxFlows: Int = 1024
    /// ... or at this many uncompressed bytes, whichever comes first.
    public var blockMaxRawBytes: Int = 64 << 10
    /// zlib level, 1 (fast) ... 9 (small).
    public var compressionLevel: Int32 = 6
    public var sync: FlowLogSync = .never
    /// Wall-clock nanoseconds; retention by age measures against it. Replaceable for tests.
    public var clock: @Sendable () -> Int64 = { FlowClock.now().nanosecondsSinceEpoch }

    public init() {}
}
