import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// One connection the datapath tracks for an endpoint (`hedgerow_ct`).
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

    init?(key: hedgerow_ct_key, entry: hedgerow_ct_entry) {
        guard let direction = TrafficDirection(abi: entry.direction) else { return nil }
        endpointID = key.endpoint_id
        self.direction = direction
        ipProtocol = key.protocol
        // The key holds the pod's side and the remote side; the opener is the source.
        let (local, remote) = (ABIAddress.address(key.local_addr), ABIAddress.address(key.remote_addr))
        let (localPort, remotePort) = (UInt16(bigEndian: key.local_port), UInt16(bigEndian: key.remote_port))
        (source, destination) = direction == .egress ? (local, remote) : (remote, local)
        (sourcePort, destinationPort) = direction == .egress ? (localPort, remotePort) : (remotePort, localPort)
        createdNanoseconds = entry.created_ns
        expiresNanoseconds = entry.expires_ns
        forward = TrafficCounters(packets: entry.packets_forward, bytes: entry.bytes_forward)
        reply = TrafficCounters(packets: entry.packets_reply, bytes: entry.bytes_reply)
        remoteIdentity = SecurityIdentity(rawValue: entry.remote_identity)
        policyRevision = entry.policy_revision
        policyCookie = entry.policy_cookie
        replySeen = UInt32(entry.flags) & HEDGEROW_CT_F_REPLY_SEEN.rawValue != 0
        closing = UInt32(entry.flags) & HEDGEROW_CT_F_CLOSING.rawValue != 0
    }
}

/// Reads and prunes `hedgerow_ct`. The programs treat an expired entry as absent and the LRU
/// map evicts under pressure, so pruning is housekeeping, not correctness.
struct ConntrackTable: Sendable {
    let map: BPFMap<hedgerow_ct_key, hedgerow_ct_entry>

    func connections(endpointID: UInt32?) throws -> [TrackedConnection] {
        try map.entries().compactMap { key, entry in
            guard endpointID == nil || key.endpoint_id == endpointID else { return nil }
            return TrackedConnection(key: key, entry: entry)
        }
    }

    /// Deletes the entries `matching` selects; returns how many went.
    func purge(matching: (hedgerow_ct_key, hedgerow_ct_entry) -> Bool) throws -> Int {
        var removed = 0
        for (key, entry) in try map.entries() where matching(key, entry) {
            if try map.delete(key) { removed += 1 }
        }
        return removed
    }
}
