import HedgerowCore

/// The flow hash the node-level LB uses to pick a Maglev table entry (bpf/include/maglev_hash.h):
/// the lookup3 final mix of three words, as the kernel's `jhash_3words`, over the IPv4 source
/// and destination (host order), `source port << 16 | destination port`, seeded with the IP
/// protocol number. The entry is `hash % M`. The same inputs give the same entry on every node,
/// so any node picks the same backend for a flow; both sides must change together.
public enum MaglevFlowHash {
    /// - Parameters: addresses as host-order values (10.0.0.1 is 0x0A00_0001), as `IPAddress.v4` holds them.
    public static func hash(source: UInt32, destination: UInt32, sourcePort: UInt16, destinationPort: UInt16,
                            protocol number: UInt8) -> UInt32 {
        mix(source, destination, UInt32(sourcePort) << 16 | UInt32(destinationPort), seed: UInt32(number))
    }

    /// The backend `table` picks for an IPv4 flow (an index into its backend names); nil when the
    /// table is empty or an address is not IPv4 (the node-level LB translates IPv4 only).
    public static func backendIndex(in table: MaglevTable, source: IPAddress, destination: IPAddress,
                                    sourcePort: UInt16, destinationPort: UInt16, protocol number: UInt8) -> Int? {
        guard case .v4(let from) = source, case .v4(let to) = destination else { return nil }
        let flow = hash(source: from, destination: to, sourcePort: sourcePort, destinationPort: destinationPort, protocol: number)
        return table.backendIndex(forHash: UInt64(flow))
    }

    static func mix(_ first: UInt32, _ second: UInt32, _ third: UInt32, seed: UInt32) -> UInt32 {
        let initial: UInt32 = 0xdead_beef &+ (3 << 2) &+ seed
        var a = first &+ initial, b = second &+ initial, c = third &+ initial
        c ^= b; c = c &- rotate(b, 14)
        a ^= c; a = a &- rotate(c, 11)
        b ^= a; b = b &- rotate(a, 25)
        c ^= b; c = c &- rotate(b, 16)
        a ^= c; a = a &- rotate(c, 4)
        b ^= a; b = b &- rotate(a, 14)
        c ^= b; c = c &- rotate(b, 24)
        return c
    }

    private static func rotate(_ word: UInt32, _ shift: UInt32) -> UInt32 { word << shift | word >> (32 - shift) }
}
