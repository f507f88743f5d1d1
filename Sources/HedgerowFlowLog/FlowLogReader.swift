import HedgerowCore

/// Counters of one read, for `hflow` and the agent's metrics.
public struct FlowLogReadStats: Sendable, Equatable {
    public var segments = 0
    /// Blocks whose [min, max] time lies outside the query, skipped without reading.
    public var blocksSkippedByIndex = 0
    public var blocksRead = 0
    /// Blocks that failed their CRC or did not decode, plus unreadable tails of older segments.
    public var corruptBlocks = 0
    /// A newest segment that ends in a partial block (a crash, or a writer mid-write).
    public var tornTails = 0
    public var flowsDecoded = 0
    public var flowsMatched = 0
    /// One line per corrupt block or unreadable file, naming the file and offset.
    public var problems: [String] = []

    public init() {}
}

/// Reads flow history from a log directory (the writer may be appending meanwhile).
///
/// Order: flows come out in non-decreasing time order, even when blocks overlap in time. Blocks
/// are read in order of their minimum time; a flow is held back until no unread block can hold
/// an earlier one (its time is below the next block's minimum), so memory stays bounded by the
/// overlap. Flows with equal times keep write order. Each stored flow is delivered at most once.
public struct FlowLogReader {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Calls `body` with each stored flow whose time is in [since, until) and that passes
    /// `filter`, in time order. Throws only when the directory cannot be listed or `body` throws;
    /// damaged blocks and vanished segments are counted in the returned stats.
    @discardableResult
    public func read(
        since: FlowTimestamp? = nil, until: FlowTimestamp? = nil, where filter: ((Flow) -> Bool)? = nil,
        _ body: (Flow) throws -> Void
    ) throws -> FlowLogReadStats {
        var stats = FlowLogReadStats()
        let lower = since?.nanosecondsSinceEpoch ?? .min
        let upper = until?.nanosecondsSinceEpoch ?? .max
        let names = try FlowLog.segmentNames(in: directory)
        stats.segments = names.count

        var candidates: [(segment: Int, block: SegmentIndex.Block)] = []
        var paths: [String] = []
        for (position, name) in names.enumerated() {
            let path = directory + "/" + name.fileName
            paths.append(path)
            let index: SegmentIndex
            do {
                index = try SegmentScanner.scan(path: path, name: name, verifyPayloads: false)
            } catch {
                // Retention may delete a segment between listing and opening it.
                stats.problems.append(error.description)
                continue
            }
            if let stop = index.stop {
                if position == names.count - 1 {
                    stats.tornTails += 1
                } else {
                    stats.corruptBlocks += 1
                    stats.problems.append("\(path) at offset \(stop.offset): \(stop.reason); rest of segment unreadable")
                }
            }
            for block in index.blocks {
                if block.header.maxTimeNanoseconds < lower || block.header.minTimeNanoseconds >= upper {
                    stats.blocksSkippedByIndex += 1
                } else {
                    candidates.append((position, block))
                }
            }
        }
        candidates.sort {
            ($0.block.header.minTimeNanoseconds, $0.segment, $0.block.offset)
                < ($1.block.header.minTimeNanoseconds, $1.segment, $1.block.offset)
        }

        var files: [Int: PosixFile] = [:]
        var decoder = FlowRecordDecoder()
        var payload: [UInt8] = []
        var scratch: [UInt8] = []
        var pending = TimeOrderedBuffer()
        var matched: [Flow] = []
        for (position, candidate) in candidates.enumerated() {
            let path = paths[candidate.segment]
            let header = candidate.block.header
            let payloadOffset = candidate.block.offset + SegmentFormat.blockHeaderSize
            do {
                let file = try files[candidate.segment] ?? PosixFile.openForReading(path)
                files[candidate.segment] = file
                try file.read(at: payloadOffset, count: Int(header.compressedLength), into: &payload)
                matched.removeAll(keepingCapacity: true)
                try BlockDecoder.decode(payload: payload, header: header, decoder: &decoder, scratch: &scratch) { flow in
                    stats.flowsDecoded += 1
                    let time = flow.time.nanosecondsSinceEpoch
                    guard time >= lower, time < upper, filter?(flow) ?? true else { return }
                    matched.append(flow)
                }
                stats.blocksRead += 1
            } catch let failure as BlockDecoder.Failure {
                stats.corruptBlocks += 1
                stats.problems.append("\(path) at offset \(candidate.block.offset): \(failure.reason); block skipped")
                continue
            } catch {
                stats.problems.append("\(error); block skipped")
                continue
            }
            stats.flowsMatched += matched.count
            pending.insert(matched)
            let horizon = position + 1 < candidates.count ? candidates[position + 1].block.header.minTimeNanoseconds : .max
            try pending.drain(before: horizon, body)
        }
        try pending.drain(before: .max, body)
        return stats
    }
}

/// Flows waiting for their turn: sorted by time, stable.
struct TimeOrderedBuffer {
    private var flows: [Flow] = []
    private var head = 0

    /// Adds a block's flows; the common case (already sorted, after everything held) appends.
    mutating func insert(_ batch: [Flow]) {
        guard !batch.isEmpty else { return }
        var batch = batch
        if !isSorted(batch) {
            batch = batch.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        }
        if head == flows.count || flows[flows.count - 1].time <= batch[0].time {
            flows.append(contentsOf: batch)
            return
        }
        // Stable merge: on equal times the flows already held come first.
        var merged: [Flow] = []
        merged.reserveCapacity(flows.count - head + batch.count)
        var left = head
        var right = 0
        while left < flows.count, right < batch.count {
            if batch[right].time < flows[left].time {
                merged.append(batch[right])
                right += 1
            } else {
                merged.append(flows[left])
                left += 1
            }
        }
        merged.append(contentsOf: flows[left...])
        merged.append(contentsOf: batch[right...])
        flows = merged
        head = 0
    }

    /// Hands out, in order, the flows earlier than `horizon` (nanoseconds).
    mutating func drain(before horizon: Int64, _ body: (Flow) throws -> Void) throws {
        while head < flows.count, horizon == .max || flows[head].time.nanosecondsSinceEpoch < horizon {
            let flow = flows[head]
            head += 1
            try body(flow)
        }
        if head == flows.count {
            flows.removeAll(keepingCapacity: true)
            head = 0
        }
    }

    private func isSorted(_ batch: [Flow]) -> Bool {
        // Indices rather than zip: copying flows out of the array would retain their parts.
        batch.indices.dropFirst().allSatisfy { batch[$0 - 1].time <= batch[$0].time }
    }
}
