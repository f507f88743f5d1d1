import HedgerowCore

/// What opening the log repaired: a torn or corrupt tail of the newest segment is cut off
/// (a crash mid-write leaves one), never reported as an error.
public struct FlowLogRecovery: Sendable, Equatable {
    /// Blocks (or partial blocks) cut from the end of the newest segment.
    public var truncatedBlocks = 0
    public var truncatedBytes = 0
    /// Newest segments removed because not even their file header was whole.
    public var removedSegments = 0
    /// One line per repair, naming the file and offset.
    public var notes: [String] = []

    public init() {}

    public var isClean: Bool { truncatedBlocks == 0 && truncatedBytes == 0 && removedSegments == 0 }
}

public struct FlowLogWriterStats: Sendable, Equatable {
    public var flowsWritten = 0
    public var blocksWritten = 0
    public var bytesWritten = 0
    public var segmentsCreated = 0
    public var segmentsDeleted = 0

    public init() {}
}

/// The writer of a flow history directory: appends flows in blocks to the newest segment,
/// rotates segments by size and deletes the oldest by total size and age. One writer per
/// directory; not thread-safe (the agent owns it from one task). Flows appended since the last
/// sealed block are in memory until the block fills, `flush()` or `close()`.
public final class FlowLog {
    public let directory: String
    public let options: FlowLogOptions
    public let recovery: FlowLogRecovery
    public private(set) var stats = FlowLogWriterStats()

    private struct Segment {
        var name: SegmentName
        var path: String
        var size: Int
        var maxTime: Int64
    }

    /// Oldest first (by sequence).
    private var segments: [Segment]
    /// The segment being appended to, the last of `segments`, if open.
    private var current: PosixFile?
    private var nextSequence: UInt64
    private var builder = BlockBuilder()

    private init(directory: String, options: FlowLogOptions, recovery: FlowLogRecovery, segments: [Segment], current: PosixFile?) {
        self.directory = directory
        self.options = options
        self.recovery = recovery
        self.segments = segments
        self.current = current
        self.nextSequence = (segments.last?.name.sequence).map { $0 + 1 } ?? 1
    }

    /// Opens (creating if needed) the log in `directory`, repairing the newest segment's tail,
    /// and applies retention.
    public static func open(directory: String, options: FlowLogOptions = FlowLogOptions()) throws(FlowLogError) -> FlowLog {
        try PosixFile.makeDirectory(directory)
        var recovery = FlowLogRecovery()
        var names = try segmentNames(in: directory)
        var segments: [Segment] = []
        var current: PosixFile?
        if let newest = names.popLast() {
            let path = directory + "/" + newest.fileName
            if let repaired = try repairTail(path: path, name: newest, recovery: &recovery) {
                segments.append(repaired)
                if repaired.size < options.maxSegmentBytes {
                    current = try PosixFile.openForAppending(path, create: false)
                }
            }
        }
        var older: [Segment] = []
        for name in names {
            let path = directory + "/" + name.fileName
            let index = try SegmentScanner.scan(path: path, name: name, verifyPayloads: false)
            older.append(Segment(name: name, path: path, size: index.fileSize, maxTime: index.maxTime ?? name.firstTimeNanoseconds))
        }
        let log = FlowLog(directory: directory, options: options, recovery: recovery, segments: older + segments, current: current)
        try log.enforceRetention()
        return log
    }

    /// Segment files in the directory, oldest first; other files are left alone.
    static func segmentNames(in directory: String) throws(FlowLogError) -> [SegmentName] {
        try PosixFile.fileNames(in: directory).compactMap(SegmentName.init(fileName:)).sorted()
    }

    /// Cuts the newest segment back to its last block with an intact payload; removes it when
    /// its file header is not whole. Returns the segment, or nil when removed.
    private static func repairTail(path: String, name: SegmentName, recovery: inout FlowLogRecovery) throws(FlowLogError) -> Segment? {
        let index = try SegmentScanner.scan(path: path, name: name, verifyPayloads: true)
        if let stop = index.stop, stop.offset == 0 {
            try PosixFile.remove(path)
            recovery.removedSegments += 1
            recovery.truncatedBytes += index.fileSize
            recovery.notes.append("\(path): removed, \(stop.reason)")
            return nil
        }
        var blocks = index.blocks[...]
        var keep = index.soundLength
        var cut = 0
        while let last = blocks.last, last.payloadIntact == false {
            keep = last.offset
            blocks.removeLast()
            cut += 1
            recovery.notes.append("\(path) at offset \(last.offset): block payload CRC mismatch, truncated")
        }
        if let stop = index.stop {
            cut += 1
            recovery.notes.append("\(path) at offset \(stop.offset): \(stop.reason), truncated")
        }
        if keep < index.fileSize {
            try PosixFile.truncate(path, to: keep)
            recovery.truncatedBlocks += cut
            recovery.truncatedBytes += index.fileSize - keep
        }
        let maxTime = blocks.map(\.header.maxTimeNanoseconds).max() ?? name.firstTimeNanoseconds
        return Segment(name: name, path: path, size: keep, maxTime: maxTime)
    }

    // MARK: Writing

    public func append(_ flows: some Sequence<Flow>) throws(FlowLogError) {
        for flow in flows {
            builder.add(flow)
            if builder.flowCount >= options.blockMaxFlows || builder.rawByteCount >= options.blockMaxRawBytes {
                try writeBlock()
            }
        }
    }

    /// Writes the flows held in memory as a (possibly small) block, and syncs if so configured.
    public func flush() throws(FlowLogError) {
        if !builder.isEmpty { try writeBlock() }
        if options.sync != .never, let current { try current.sync() }
    }

    /// Flushes and closes the current segment; the next append starts a new one.
    public func close() throws(FlowLogError) {
        try flush()
        current = nil
    }

    private func writeBlock() throws(FlowLogError) {
        if current == nil { try startSegment(firstTime: builder.minTimeNanoseconds) }
        guard let file = current else { return }
        let segment = segments[segments.count - 1]
        let block: (bytes: [UInt8], header: SegmentFormat.BlockHeader)
        do {
            block = try builder.seal(level: options.compressionLevel)
        } catch {
            throw FlowLogError(path: segment.path, offset: segment.size, reason: error.description)
        }
        try file.append(block.bytes, at: segment.size)
        if options.sync == .everyBlock { try file.sync() }
        segments[segments.count - 1].size += block.bytes.count
        segments[segments.count - 1].maxTime = max(segment.maxTime, block.header.maxTimeNanoseconds)
        stats.flowsWritten += Int(block.header.flowCount)
        stats.blocksWritten += 1
        stats.bytesWritten += block.bytes.count
        if segments[segments.count - 1].size >= options.maxSegmentBytes {
            if options.sync != .never { try file.sync() }
            current = nil
            try enforceRetention()
        }
    }

    private func startSegment(firstTime: Int64) throws(FlowLogError) {
        let name = SegmentName(firstTimeNanoseconds: firstTime, sequence: nextSequence)
        nextSequence += 1
        let path = directory + "/" + name.fileName
        let file = try PosixFile.openForAppending(path, create: true)
        let header = SegmentFormat.encode(SegmentFormat.FileHeader(firstTimeNanoseconds: firstTime, sequence: name.sequence))
        try file.append(header, at: 0)
        segments.append(Segment(name: name, path: path, size: header.count, maxTime: firstTime))
        current = file
        stats.segmentsCreated += 1
        stats.bytesWritten += header.count
    }

    // MARK: Retention

    /// Deletes segments past the age limit, then the oldest while over the size cap. The open
    /// segment is kept.
    public func enforceRetention() throws(FlowLogError) {
        let deletable = current == nil ? segments.count : segments.count - 1
        var doomed = Set<Int>()
        if let maxAge = options.maxAge {
            let (seconds, attoseconds) = maxAge.components
            let cutoff = options.clock() - (seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            for index in 0..<deletable where segments[index].maxTime < cutoff { doomed.insert(index) }
        }
        var total = segments.indices.filter { !doomed.contains($0) }.reduce(0) { $0 + segments[$1].size }
        for index in 0..<deletable where total > options.maxTotalBytes && !doomed.contains(index) {
            doomed.insert(index)
            total -= segments[index].size
        }
        for index in doomed.sorted(by: >) {
            try PosixFile.remove(segments[index].path)
            segments.remove(at: index)
            stats.segmentsDeleted += 1
        }
    }

    /// Bytes of all segments on disk.
    public var totalBytes: Int { segments.reduce(0) { $0 + $1.size } }
    public var segmentCount: Int { segments.count }
}
