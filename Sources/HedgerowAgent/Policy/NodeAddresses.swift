import HedgerowCore
import HedgerowNetlink

/// The addresses of the node itself: every address on a link of the agent's network namespace
/// (the uplink, the pods' gateway address on their host-side veths, loopback).
///
/// They are the reserved `host` identity in the ipcache, as in Cilium: without that, traffic
/// from the node to its pods (kubelet probes, `fromEntities: [host]`) would look like `world`.
struct NodeAddresses: Sendable {
    private let socket: NetlinkSocket

    init() throws {
        socket = try NetlinkSocket()
    }

    /// The kernel's answer now (an RTM_GETADDR dump: tens of microseconds, cheap per sync).
    func read() throws -> Set<IPAddress> {
        var addresses: Set<IPAddress> = []
        for address in try socket.addresses() {
            // IPv6 link-local addresses are per link and never a packet's remote identity here.
            guard let parsed = IPAddress(address.address), !Self.isIPv6LinkLocal(address) else { continue }
            addresses.insert(parsed)
        }
        return addresses
    }

    private static func isIPv6LinkLocal(_ address: Address) -> Bool {
        address.family == .ipv6 && address.bytes.count == 16 && address.bytes[0] == 0xfe && address.bytes[1] & 0xc0 == 0x80
    }

    /// The ipcache the datapath gets: the compiler's, with each node address as `host`. A node
    /// address inside a policy's CIDR stays `host` (Cilium does the same: CIDR rules do not
    /// select the node; `fromEntities: [host]` does).
    static func overlay(_ entries: [IPPrefix: SecurityIdentity], host addresses: Set<IPAddress>) -> [IPPrefix: SecurityIdentity] {
        var result = entries
        for address in addresses { result[IPPrefix(host: address)] = .host }
        return result
    }
}
