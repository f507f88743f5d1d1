import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// One connection the datapath tracks for an endpoint (`hedgerow_ct4`, `hedgerow_ct6`).
public struct TrackedConnection: Sendable, Hashable {
    public var endpointID: UInt32
    /// The hook that saw the first packet: egress when the pod opened the connection.
    public var direction: TrafficDirection
    public var ipProtocol: UInt8
    /// The first packet's addresses and ports (ICMP echo: the identifier on the requester's side).
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// CLOCK_MONOTONIC nanoseconds (tick resolution).
    public var createdNanoseconds: UInt64
    public var expiresNanoseconds: UInt64
    public var forward: TrafficCounters
    public var reply: TrafficCounters
    public var remoteIdentity: SecurityIdentity
    public var policyRevision: UInt32
    public var policyCookie: UInt32
    public var replySeen: Bool
    public var closing: Bool
    /// The service (frontend rev-NAT id) the connection was opened to; 0 for none. Every flow
    /// event of the connection, replies included, names it.
    public var reverseNATID: UInt16
    /// Where that service was translated (`.none` without one).
    public var translationPoint: ServiceTranslationPoint

    /// From the key's pod side and remote side; the entry says which side opened it. `time`
    /// turns the entry's ticks into CLOCK_MONOTONIC nanoseconds.
    init?(endpointID: UInt32, ipProtocol: UInt8, local: IPAddress, remote: IPAddress, localPort: UInt16, remotePort: UInt16,
          entry: hedgerow_ct_entry, time: (UInt64) -> UInt64) {
        guard let direction = TrafficDirection(abi: entry.direction) else { return nil }
        self.endpointID = endpointID
        self.direction = direction
        self.ipProtocol = ipProtocol
        (source, destination) = direction == .egress ? (local, remote) : (remote, local)
        (sourcePort, destinationPort) = direction == .egress ? (localPort, remotePort) : (remotePort, localPort)
        createdNanoseconds = time(entry.created)
        expiresNanoseconds = time(entry.expires)
        forward = TrafficCounters(packets: entry.packets_forward, bytes: entry.bytes_forward)
        reply = TrafficCounters(packets: entry.packets_reply, bytes: entry.bytes_reply)
        remoteIdentity = SecurityIdentity(rawValue: entry.remote_identity)
        policyRevision = entry.policy_revision
        policyCookie = entry.policy_cookie
        replySeen = UInt32(entry.flags) & HEDGEROW_CT_F_REPLY_SEEN.rawValue != 0
        closing = UInt32(entry.flags) & HEDGEROW_CT_F_CLOSING.rawValue != 0
        reverseNATID = entry.rev_nat_id
        translationPoint = ServiceTranslationPoint(rawValue: entry.translation_point)
    }
}

/// Reads and prunes the conntrack maps. The programs treat an expired entry as absent and the
/// LRU maps evict under pressure, so pruning is housekeeping, not correctness.
struct ConntrackTable: Sendable {
    let ipv4: BPFMap<hedgerow_ct4_key, hedgerow_ct_entry>
    let ipv6: BPFMap<hedgerow_ct6_key, hedgerow_ct_entry>

    func connections(endpointID: UInt32?, clock: DatapathClock) throws -> [TrackedConnection] {
        let (now, perSecond) = (try clock.now(), try clock.ticksPerSecond())
        let time = { (ticks: UInt64) in clock.monotonicNanoseconds(ofTicks: ticks, now: now, perSecond: perSecond) }
        let v4 = try ipv4.entries().compactMap { key, entry -> TrackedConnection? in
            guard endpointID == nil || UInt32(key.endpoint_id) == endpointID else { return nil }
            return TrackedConnection(
                endpointID: UInt32(key.endpoint_id), ipProtocol: key.protocol, local: .v4(UInt32(bigEndian: key.local_addr)),
                remote: .v4(UInt32(bigEndian: key.remote_addr)), localPort: UInt16(bigEndian: key.local_port),
                remotePort: UInt16(bigEndian: key.remote_port), entry: entry, time: time)
        }
        let v6 = try ipv6.entries().compactMap { key, entry -> TrackedConnection? in
            guard endpointID == nil || UInt32(key.endpoint_id) == endpointID else { return nil }
            return TrackedConnection(
                endpointID: UInt32(key.endpoint_id), ipProtocol: key.protocol, local: ABIAddress.address(key.local_addr, ipv4: false),
                remote: ABIAddress.address(key.remote_addr, ipv4: false), localPort: UInt16(bigEndian: key.local_port),
                remotePort: UInt16(bigEndian: key.remote_port), entry: entry, time: time)
        }
        return v4 + v6
    }

    /// Deletes the entries of `endpointID` (nil: any endpoint) that `matching` selects; returns how many went.
    func purge(endpointID: UInt32? = nil, matching: (hedgerow_ct_entry) -> Bool = { _ in true }) throws -> Int {
        var removed = 0
        for (key, entry) in try ipv4.entries()
        where (endpointID == nil || UInt32(key.endpoint_id) == endpointID) && matching(entry) {
            if try ipv4.delete(key) { removed += 1 }
        }
        for (key, entry) in try ipv6.entries()
        where (endpointID == nil || UInt32(key.endpoint_id) == endpointID) && matching(entry) {
            if try ipv6.delete(key) { removed += 1 }
        }
        return removed
    }
}
