import HedgerowBPF
import HedgerowTestSupport

/// The maps and programs of bpf/tests/counter.bpf.c, which counts packets and bytes per device
/// and tc direction. Its keys and values are plain integers (ifindex -> slot, slot -> per-CPU
/// UInt64) and each direction has maps of its own, so no C layout is mirrored here.
struct CounterMaps {
    struct Totals: Equatable {
        var packets: UInt64
        var bytes: UInt64
    }

    static let slotsMapName = "counter_slots"
    static let directions: [TCHook.Direction] = [.ingress, .egress]
    static var mapNames: [String] {
        [slotsMapName] + directions.flatMap { [packetsMapName($0), bytesMapName($0)] }
    }

    static func programName(_ direction: TCHook.Direction) -> String { "count_\(direction)" }
    static func packetsMapName(_ direction: TCHook.Direction) -> String { "\(direction)_packets" }
    static func bytesMapName(_ direction: TCHook.Direction) -> String { "\(direction)_bytes" }

    /// ifindex -> counter slot; devices without an entry are not counted.
    let slots: BPFMap<UInt32, UInt32>
    private let packets: [TCHook.Direction: BPFPerCPUMap<UInt32, UInt64>]
    private let bytes: [TCHook.Direction: BPFPerCPUMap<UInt32, UInt64>]

    init(_ object: BPFObject) throws {
        slots = try BPFMap(object.map(named: Self.slotsMapName))
        var packets: [TCHook.Direction: BPFPerCPUMap<UInt32, UInt64>] = [:]
        var bytes: [TCHook.Direction: BPFPerCPUMap<UInt32, UInt64>] = [:]
        for direction in Self.directions {
            packets[direction] = try BPFPerCPUMap(object.map(named: Self.packetsMapName(direction)))
            bytes[direction] = try BPFPerCPUMap(object.map(named: Self.bytesMapName(direction)))
        }
        self.packets = packets
        self.bytes = bytes
    }

    /// Kernel map ids by name: equal ids after a reload mean the pinned maps were adopted.
    var mapIDs: [String: UInt32] {
        var ids = [Self.slotsMapName: slots.handle.info.id]
        for direction in Self.directions {
            ids[Self.packetsMapName(direction)] = packets[direction]?.handle.info.id
            ids[Self.bytesMapName(direction)] = bytes[direction]?.handle.info.id
        }
        return ids
    }

    /// What `direction`'s program counted for `slot`, summed over the CPUs.
    func totals(_ direction: TCHook.Direction, slot: UInt32) throws -> Totals {
        guard let packets = packets[direction], let bytes = bytes[direction],
            let packetCounts = try packets.lookup(slot), let byteCounts = try bytes.lookup(slot)
        else { throw TestEnvironmentError("counter slot \(slot) (\(direction)) is outside the counter arrays") }
        return Totals(packets: packetCounts.reduce(0, +), bytes: byteCounts.reduce(0, +))
    }
}
