import ArgumentParser
import Foundation
import HedgerowLab

struct OutsideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outside",
        abstract: "Run a command on a machine outside the cluster (a namespace on the lab's underlay, routed through a node); exits with its status.",
        usage: "hlab outside [--lab NAME] [--via NODE] -- COMMAND [ARG...]",
        discussion: """
            The namespace exists while the command runs and is removed after it (`hlab down` removes one \
            left by a crash). The command finds its address in HLAB_OUTSIDE_ADDRESS and the node it goes \
            through in HLAB_OUTSIDE_GATEWAY, e.g. to call a NodePort: \
            hlab outside --via node2 -- hlab probe 192.168.200.2:30080
            """)

    @Option(help: "The lab (default: the only running lab).")
    var lab: String?

    @Option(help: "The node the default route goes through (default: the lab's first node).")
    var via: String?

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after --, e.g. hlab outside -- ip route") }
    }

    func run() throws {
        try Privileges.requireRoot("outside")
        let state = try LabRegistry.resolve(lab)
        let enter = try EnterCommand.current()
        let outsider = try Outsider.create(in: state, via: via, enter: enter)
        let status: Int32
        do {
            status = try runInside(outsider, enter: enter)
        } catch {
            try? outsider.remove()
            throw error
        }
        try outsider.remove()
        if status != 0 { throw ExitCode(status) }
    }

    /// A child, not exec: the namespace is removed once it ends. Its exit status is the child's
    /// (128 + the signal when a signal ended it, as shells report it).
    private func runInside(_ outsider: Outsider, enter: EnterCommand) throws -> Int32 {
        let process = Process()
        let argv = enter.argv(netns: outsider.netns, command: command)
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["HLAB_OUTSIDE_ADDRESS": outsider.address, "HLAB_OUTSIDE_GATEWAY": outsider.gateway]) { _, new in new }
        try process.run()
        SignalForwarding.forward(to: process.processIdentifier)
        process.waitUntilExit()
        SignalForwarding.stop()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// While the command runs, SIGINT, SIGTERM and SIGHUP sent to `hlab outside` go to the command
/// instead of ending hlab before it could remove the namespace. A handler (not SIG_IGN) so that
/// the command, whose exec resets handlers, still gets the default actions.
private enum SignalForwarding {
    nonisolated(unsafe) static var child: pid_t = 0
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    static func forward(to pid: pid_t) {
        child = pid
        for signal in signals { install(signal, handler: { number in if SignalForwarding.child > 0 { kill(SignalForwarding.child, number) } }) }
        // A Swift parent may have started hlab with these blocked (the mask survives exec); then
        // they would stay pending and never reach the handler. Unblocked on this thread, the
        // kernel delivers the process's signals here.
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    static func stop() {
        child = 0
        for signal in signals { install(signal, handler: nil) }
    }

    private static func install(_ signal: Int32, handler: (@convention(c) (Int32) -> Void)?) {
        var action = sigaction()
        if let handler { action.__sigaction_handler.sa_handler = handler } else { action.__sigaction_handler.sa_handler = SIG_DFL }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        sigaction(signal, &action, nil)
    }
}
