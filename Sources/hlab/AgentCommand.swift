import ArgumentParser
import Foundation
import Glibc
import HedgerowLab

/// `hlab agent start|stop|kill NODE`: restart tests and demos stop and start a node's agent
/// without touching the pods, the pinned maps or the filters.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Start, stop (SIGTERM) or kill (SIGKILL) a node's hagent.",
        subcommands: [Start.self, Stop.self, Kill.self])

    struct Target: ParsableArguments {
        @Option(help: "The lab (default: the only one).")
        var lab: String?

        @Argument(help: "The node.")
        var node: String

        func resolve() throws -> (LabState, Int) {
            let state = try LabRegistry.resolve(lab)
            guard let index = state.nodes.firstIndex(where: { $0.name == node }) else {
                throw LabError("lab \(state.name) has no node \(node) (nodes: \(state.nodes.map(\.name).joined(separator: ", ")))")
            }
            guard state.options.withAgent else { throw LabError("lab \(state.name) runs without agents") }
            return (state, index)
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the node's agent (it adopts the running datapath).")
        @OptionGroup var target: Target

        func run() throws {
            try Privileges.requireRoot("agent start")
            var (state, index) = try target.resolve()
            if let pid = state.nodes[index].agentPID, Processes.isAlive(pid) {
                throw LabError("the agent of \(target.node) is running (pid \(pid)); stop or kill it first")
            }
            let agent = AgentProcess(node: state.nodes[index], layout: state.layout, options: state.options, enter: try EnterCommand.current())
            state.nodes[index].agentPID = try agent.start()
            try LabStateStore.save(state)
            print("agent of \(target.node) started (pid \(state.nodes[index].agentPID ?? 0))")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the node's agent with SIGTERM; the datapath stays.")
        @OptionGroup var target: Target

        func run() throws {
            try Privileges.requireRoot("agent stop")
            let (state, index) = try target.resolve()
            guard AgentProcess.stop(state.nodes[index]) else { throw LabError("the agent of \(target.node) did not exit") }
            print("agent of \(target.node) stopped")
        }
    }

    struct Kill: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Kill the node's agent with SIGKILL (a crash, for restart tests).")
        @OptionGroup var target: Target

        func run() throws {
            try Privileges.requireRoot("agent kill")
            let (state, index) = try target.resolve()
            guard let pid = state.nodes[index].agentPID, Processes.isAlive(pid) else {
                throw LabError("the agent of \(target.node) is not running")
            }
            Glibc.kill(pid, SIGKILL)
            // Wait until it is gone so a following `start` does not race the dying process.
            for _ in 0..<100 where Processes.isAlive(pid) { usleep(20_000) }
            print("agent of \(target.node) killed (pid \(pid))")
        }
    }
}
