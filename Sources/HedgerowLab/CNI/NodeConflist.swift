import Foundation
import HedgerowCNI

/// The CNI network configuration list pods of one node are added through: `ptp` with
/// `host-local` addresses from the node's pod CIDR (leases kept in the lab's state directory),
/// then, when the lab runs agents, `hedgerow-cni` talking to that node's agent.
public enum NodeConflist {
    public static func make(node: NodeState, lab: LabNaming, layout: LabLayout, withAgent: Bool) -> CNINetworkConfigList {
        var plugins: [[String: JSONValue]] = [[
            "type": .string("ptp"),
            "ipMasq": .bool(false),
            "ipam": .object([
                "type": .string("host-local"),
                "subnet": .string(node.podCIDR.description),
                "dataDir": .string(layout.ipamDataDir),
                "routes": .array([.object(["dst": .string("0.0.0.0/0")])]),
            ]),
        ]]
        if withAgent {
            plugins.append(["type": .string("hedgerow-cni"), "agentSocket": .string(node.agentSocket)])
        }
        return CNINetworkConfigList(cniVersion: CNIVersion.current, name: lab.networkName(node: node.name), plugins: plugins)
    }

    public static func write(node: NodeState, lab: LabNaming, layout: LabLayout, withAgent: Bool) throws {
        let list = make(node: node, lab: lab, layout: layout, withAgent: withAgent)
        try AtomicFile.write(json(list).serialized(pretty: true), to: node.conflist)
    }

    public static func load(_ path: String) throws -> CNINetworkConfigList {
        do {
            return try CNINetworkConfigList(jsonData: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw LabError("cannot read CNI configuration list \(path): \(error)")
        }
    }

    /// The .conflist file's JSON.
    static func json(_ list: CNINetworkConfigList) -> JSONValue {
        var object = list.otherFields
        object["cniVersion"] = .string(list.cniVersion)
        object["name"] = .string(list.name)
        if list.disableCheck { object["disableCheck"] = .bool(true) }
        object["plugins"] = .array(list.plugins.map(JSONValue.object))
        return .object(object)
    }
}
