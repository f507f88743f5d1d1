/// Where a lab keeps its files, all under one state directory so that removing it removes them:
///
///     /run/hedgerow-lab/<lab>/
///       state.json                 LabState: everything `down` needs
///       manifests/                 Namespace and Pod YAML for the agents (--manifests)
///       cni/<node>.conflist        the chain each node's pods are added through
///       cni/ipam/                  host-local's dataDir (leases per network)
///       logs/<node>-agent.log      agent output
///       <node>/agent/              agent --state-dir
///       <node>/agent.sock          agent API socket
public struct LabLayout: Sendable, Equatable {
    public let root: String

    public init(lab: String, stateRoot: String = LabNaming.stateRoot) { root = "\(stateRoot)/\(lab)" }

    public var stateFile: String { "\(root)/state.json" }
    public var manifests: String { "\(root)/manifests" }
    public var cni: String { "\(root)/cni" }
    public var ipamDataDir: String { "\(cni)/ipam" }
    public var logs: String { "\(root)/logs" }

    public func conflist(node: String) -> String { "\(cni)/\(node).conflist" }
    public func agentLog(node: String) -> String { "\(logs)/\(node)-agent.log" }
    public func agentStateDir(node: String) -> String { "\(root)/\(node)/agent" }
    public func agentSocket(node: String) -> String { "\(root)/\(node)/agent.sock" }
    public func namespaceManifest(_ namespace: String) -> String { "\(manifests)/namespace-\(namespace).yaml" }
    public func podManifest(namespace: String, pod: String) -> String { "\(manifests)/pod-\(namespace)-\(pod).yaml" }
}
