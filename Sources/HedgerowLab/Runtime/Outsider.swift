/// A machine outside the cluster on the nodes' network (a laptop calling a NodePort): a network
/// namespace plugged into the lab's underlay with one of the addresses `Underlay` keeps for
/// outside clients, its default route through one node.
///
/// Its namespace is named with the lab's prefix, so `hlab down` removes one that a crashed
/// `hlab outside` left behind, like any other namespace of the lab.
public struct Outsider: Sendable, Equatable {
    public let netns: String
    public let address: String
    /// The node address the default route goes through.
    public let gateway: String

    /// The namespace of outside client `index`. The '.' keeps it apart from node and pod names.
    public static func netns(lab: LabNaming, index: Int) -> String {
        LabNaming.shorten(lab.netnsPrefix, ".outside\(index)")
    }

    /// Creates an outside client routed through `node` (default: the lab's first node), on the
    /// first free outsider address. Two clients created at the same time cannot share a slot:
    /// creating the namespace is what claims it, and `ip netns add` refuses an existing name.
    public static func create(in state: LabState, via node: String?, enter: EnterCommand) throws -> Outsider {
        let gatewayNode = try gatewayNode(in: state, named: node)
        guard let gateway = gatewayNode.underlayAddress else {
            throw LabError("node \(gatewayNode.name) of lab \(state.name) has no underlay address (lab built before the underlay existed?)")
        }
        for index in 0..<Underlay.reservedForOutsiders {
            let netns = netns(lab: state.naming, index: index)
            guard try claim(netns) else { continue }
            do {
                let address = try Underlay(enter: enter).attachOutsider(netns: netns, index: index, gateway: gateway, in: state)
                return Outsider(netns: netns, address: address, gateway: gateway)
            } catch {
                try? NetworkNamespaces.delete(netns)
                throw error
            }
        }
        throw LabError("lab \(state.name) has \(Underlay.reservedForOutsiders) outside clients already (the most its underlay has addresses for)")
    }

    /// Creates `netns`; false when it exists already (another client's, perhaps created between
    /// our look and our `ip netns add`).
    private static func claim(_ netns: String) throws -> Bool {
        if NetworkNamespaces.exists(netns) { return false }
        let result = try CommandRunner.run(["ip", "netns", "add", netns])
        if result.status == 0 { return true }
        if NetworkNamespaces.exists(netns) { return false }
        throw LabError("cannot create network namespace \(netns): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    /// Deleting the namespace also removes its plug in the underlay bridge (the veth pair).
    public func remove() throws { try NetworkNamespaces.delete(netns) }

    private static func gatewayNode(in state: LabState, named node: String?) throws -> NodeState {
        guard let node else {
            guard let first = state.nodes.first else { throw LabError("lab \(state.name) has no nodes") }
            return first
        }
        guard let found = state.node(named: node) else {
            throw LabError("node \(node) is not in lab \(state.name) (nodes: \(state.nodes.map(\.name).joined(separator: ", ")))")
        }
        return found
    }
}
