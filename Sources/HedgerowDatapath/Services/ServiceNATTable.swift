import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// One `hedgerow_nat4` entry: where a packet of a translated connection is seen (hook and
/// tuple) and what it becomes.
public struct ServiceNATEntry: Sendable, Hashable, CustomStringConvertible {
    public enum Hook: UInt8, Sendable, Hashable {
        case uplinkIngress = 0, uplinkEgress = 1, endpointEgress = 2, endpointIngress = 3
    }

    public struct Tuple: Sendable, Hashable, CustomStringConvertible {
        public var source: IPAddress
        public var destination: IPAddress
        public var sourcePort: UInt16
        public var destinationPort: UInt16
        public var description: String { "\(source):\(sourcePort) -> \(destination):\(destinationPort)" }
    }

    public var hook: Hook
    public var ipProtocol: UInt8
    public var seen: Tuple
    public var rewritten: Tuple
    public var serviceID: UInt16
    public var backendID: UInt32
    /// This entry rewrites replies (back to the frontend the client named).
    public var isReply: Bool
    /// The backend is on another node: the connection is source-NATed.
    public var isSourceNAT: Bool

    public var description: String {
        "\(hook) proto \(ipProtocol) \(seen) => \(rewritten) service \(serviceID)\(isReply ? " reply" : "")\(isSourceNAT ? " snat" : "")"
    }
}

/// Reads `hedgerow_nat4` for inspection and tests; only the programs write it.
struct ServiceNATTable: Sendable {
    let map: BPFMap<hedgerow_nat4_key, hedgerow_nat4_entry>

    func entries() throws -> [ServiceNATEntry] {
        try map.entries().compactMap { key, value in
            guard let hook = ServiceNATEntry.Hook(rawValue: key.hook) else { return nil }
            return ServiceNATEntry(
                hook: hook, ipProtocol: key.protocol,
                seen: Self.tuple(key.saddr, key.daddr, key.sport, key.dport),
                rewritten: Self.tuple(value.saddr, value.daddr, value.sport, value.dport),
                serviceID: value.service_id, backendID: value.backend_id,
                isReply: value.flags & UInt8(HEDGEROW_NAT_F_REPLY.rawValue) != 0,
                isSourceNAT: value.flags & UInt8(HEDGEROW_NAT_F_SNAT.rawValue) != 0)
        }
    }

    /// Network-order fields as the map holds them.
    static func tuple(_ saddr: UInt32, _ daddr: UInt32, _ sport: UInt16, _ dport: UInt16) -> ServiceNATEntry.Tuple {
        .init(source: .v4(UInt32(bigEndian: saddr)), destination: .v4(UInt32(bigEndian: daddr)),
              sourcePort: UInt16(bigEndian: sport), destinationPort: UInt16(bigEndian: dport))
    }
}
