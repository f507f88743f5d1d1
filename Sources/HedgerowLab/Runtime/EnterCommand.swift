/// How the lab starts anything inside a namespace: `hlab _enter ...` (see `NamespaceEntry`).
public struct EnterCommand: Sendable {
    /// The hlab executable that understands `_enter`.
    public let hlab: String

    public init(hlab: String) { self.hlab = hlab }

    public static func current() throws -> EnterCommand { EnterCommand(hlab: try Processes.currentExecutable()) }

    public func argv(netns: String, cgroup: String? = nil, newSession: Bool = false, command: [String]) -> [String] {
        var argv = [hlab, "_enter", "--netns", NetworkNamespaces.path(netns)]
        if let cgroup { argv += ["--cgroup", cgroup] }
        if newSession { argv.append("--setsid") }
        return argv + ["--"] + command
    }
}
