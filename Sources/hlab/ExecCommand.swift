import ArgumentParser
import HedgerowLab

struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command inside a pod (its network namespace and cgroup); exits with its status.",
        usage: "hlab exec [--lab NAME] NAMESPACE/POD -- COMMAND [ARG...]")

    @Option(help: "The lab (default: the only running lab).")
    var lab: String?

    @Argument(help: "The pod, as NAMESPACE/POD.")
    var pod: String

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after --, e.g. hlab exec x/a -- ip addr") }
    }

    func run() throws {
        try Privileges.requireRoot("exec")
        let state = try LabRegistry.resolve(lab)
        let (namespace, name) = try LabRegistry.parsePodReference(pod)
        guard let target = state.pod(namespace: namespace, name: name) else {
            throw LabError("pod \(pod) is not in lab \(state.name) (pods: \(state.pods.map(\.spec.qualifiedName).joined(separator: ", ")))")
        }
        try NamespaceEntry.enter(.init(netnsPath: NetworkNamespaces.path(target.netns), cgroup: target.cgroup, command: command))
    }
}

struct NodeExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node-exec", abstract: "Run a command inside a node (its network namespace and cgroup); exits with its status.",
        usage: "hlab node-exec [--lab NAME] NODE -- COMMAND [ARG...]")

    @Option(help: "The lab (default: the only running lab).")
    var lab: String?

    @Argument(help: "The node's name.")
    var node: String

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after --, e.g. hlab node-exec node1 -- ip route") }
    }

    func run() throws {
        try Privileges.requireRoot("node-exec")
        let state = try LabRegistry.resolve(lab)
        guard let target = state.node(named: node) else {
            throw LabError("node \(node) is not in lab \(state.name) (nodes: \(state.nodes.map(\.name).joined(separator: ", ")))")
        }
        try NamespaceEntry.enter(.init(netnsPath: NetworkNamespaces.path(target.netns), cgroup: target.cgroup, command: command))
    }
}
