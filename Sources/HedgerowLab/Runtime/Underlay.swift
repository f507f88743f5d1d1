/// The network between a lab's nodes, as a switch between real machines: a bridge in a
/// namespace of its own, each node's `eth0` plugged into it with an address of the underlay, and
/// in every node a route to each other node's pod CIDR through that node. Outside clients (an
/// "external" host sending to a NodePort) plug into the same bridge.
///
/// Everything lives in the lab's own namespaces, so names and addresses inside may be the same
/// in every lab; removing the underlay namespace removes the bridge and every plug.
public struct Underlay: Sendable {
    /// Addresses at the top of the underlay kept for outside clients (`attachOutsider`).
    public static let reservedForOutsiders = 8
    static let bridge = "br0"
    /// The node's side of its plug: the name a node's uplink has on a real machine.
    public static let nodeInterface = "eth0"

    public let enter: EnterCommand
    public init(enter: EnterCommand) { self.enter = enter }

    /// The node's address on the underlay: nodes take .1, .2, ... in lab-file order.
    public static func nodeAddress(index: Int, in cidr: IPv4CIDR) -> String {
        IPv4CIDR.format(cidr.address + UInt32(index + 1))
    }

    /// The address of outside client `index` (0-based), counting down from the last host address.
    public static func outsiderAddress(index: Int, in cidr: IPv4CIDR) -> String {
        let broadcast = cidr.address | ~cidr.netmask
        return IPv4CIDR.format(broadcast - 1 - UInt32(index))
    }

    public func build(_ state: inout LabState) throws {
        let netns = state.naming.underlayNetns
        let cidr = state.spec.underlayCIDR
        try NetworkNamespaces.create(netns)
        try ip(netns, ["link", "set", "lo", "up"], what: "bring up lo in \(netns)")
        try ip(netns, ["link", "add", Self.bridge, "type", "bridge"], what: "create the underlay bridge")
        try ip(netns, ["link", "set", Self.bridge, "up"], what: "bring up the underlay bridge")
        for (index, node) in state.nodes.enumerated() {
            let address = Self.nodeAddress(index: index, in: cidr)
            try plug(port: "node\(index)", into: node.netns, as: Self.nodeInterface, address: address, prefixLength: cidr.prefixLength, underlay: netns)
            state.nodes[index].underlayAddress = address
        }
        for node in state.nodes {
            for other in state.nodes where other.name != node.name {
                guard let via = other.underlayAddress else { continue }
                try ip(node.netns, ["route", "replace", other.podCIDR.description, "via", via, "dev", Self.nodeInterface],
                       what: "route \(other.podCIDR) to node \(other.name) in \(node.netns)")
            }
        }
        try LabStateStore.save(state)
    }

    /// Plugs namespace `netns` (created by the caller) into the underlay as outside client `index`,
    /// with a default route through `gateway` (a node's address, so that NodePort traffic and its
    /// replies go through that node). Returns its address.
    @discardableResult
    public func attachOutsider(netns: String, index: Int, gateway: String, in state: LabState) throws -> String {
        let cidr = state.spec.underlayCIDR
        let address = Self.outsiderAddress(index: index, in: cidr)
        try plug(port: "out\(index)", into: netns, as: Self.nodeInterface, address: address, prefixLength: cidr.prefixLength, underlay: state.naming.underlayNetns)
        try ip(netns, ["link", "set", "lo", "up"], what: "bring up lo in \(netns)")
        try ip(netns, ["route", "replace", "default", "via", gateway], what: "default route of \(netns)")
        return address
    }

    private func plug(port: String, into netns: String, as name: String, address: String, prefixLength: Int, underlay: String) throws {
        try ip(underlay, ["link", "add", port, "type", "veth", "peer", "name", name, "netns", netns],
               what: "create the underlay link of \(netns)")
        try ip(underlay, ["link", "set", port, "master", Self.bridge, "up"], what: "plug \(port) into the underlay bridge")
        try ip(netns, ["addr", "add", "\(address)/\(prefixLength)", "dev", name], what: "address \(name) in \(netns)")
        try ip(netns, ["link", "set", name, "up"], what: "bring up \(name) in \(netns)")
    }

    private func ip(_ netns: String, _ arguments: [String], what: String) throws {
        _ = try CommandRunner.check(["ip", "-n", netns] + arguments, what: what)
    }
}
