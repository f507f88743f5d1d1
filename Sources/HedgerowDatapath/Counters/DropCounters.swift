import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// Packets the datapath dropped for one reason in one direction, summed over CPUs.
public struct DropCount: Sendable, Hashable {
    public var reason: DropReason
    public var direction: TrafficDirection
    public var packets: UInt64
    public var bytes: UInt64

    public init(reason: DropReason, direction: TrafficDirection, packets: UInt64, bytes: UInt64) {
        self.reason = reason
        self.direction = direction
        self.packets = packets
        self.bytes = bytes
    }
}

/// Reads `hedgerow_drops` and `hedgerow_lost_events` (per-CPU counters the programs bump).
struct DatapathCounters: Sendable {
    let drops: BPFPerCPUMap<UInt32, hedgerow_traffic>
    let lost: BPFPerCPUMap<UInt32, UInt64>

    static let directions = UInt32(HEDGEROW_DIR_COUNT.rawValue)

    /// Every (reason, direction) with at least one drop, by reason then direction.
    func dropCounts() throws -> [DropCount] {
        try drops.entries().compactMap { slot, perCPU in
            let packets = perCPU.reduce(0) { $0 &+ $1.packets }
            guard packets > 0, let direction = TrafficDirection(abi: UInt8(slot % Self.directions)) else { return nil }
            return DropCount(
                reason: DropReason(rawValue: UInt8(truncatingIfNeeded: slot / Self.directions)), direction: direction,
                packets: packets, bytes: perCPU.reduce(0) { $0 &+ $1.bytes })
        }.sorted { ($0.reason.rawValue, $0.direction.abi) < ($1.reason.rawValue, $1.direction.abi) }
    }

    /// Events the programs could not put into the ring buffer, per CPU (index = CPU).
    func lostEventsPerCPU() throws -> [UInt64] { try lost.lookup(0) ?? [] }
}
