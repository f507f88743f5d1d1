import ArgumentParser
import HedgerowLab

/// Internal: how hlab starts plugins, agents and pod commands inside a namespace (see
/// `NamespaceEntry`). Hidden from help; its interface may change with hlab.
struct EnterSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_enter", abstract: "Internal: join a netns (and cgroup), then exec a command.", shouldDisplay: false)

    @Option(help: "Path of the network namespace (/run/netns/NAME).")
    var netns: String

    @Option(help: "cgroup2 directory to move into first.")
    var cgroup: String?

    @Flag(help: "Start a new session (detach from the terminal and process group).")
    var setsid = false

    @Argument(parsing: .postTerminator)
    var command: [String] = []

    func run() throws {
        guard !command.isEmpty else { throw ValidationError("no command after --") }
        try NamespaceEntry.enter(.init(netnsPath: netns, cgroup: cgroup, newSession: setsid, command: command))
    }
}
