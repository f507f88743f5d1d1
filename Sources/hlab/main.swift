import ArgumentParser

/// hlab: builds labs of pods as network namespaces on one machine (see HedgerowLab).
struct HLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hlab",
        abstract: "A lab of Hedgerow nodes and pods as network namespaces, built through the real CNI chain.",
        subcommands: [
            UpCommand.self, DownCommand.self, ListCommand.self, ExecCommand.self, NodeExecCommand.self,
            AddPodCommand.self, DeletePodCommand.self, AgentCommand.self, ServeCommand.self, ProbeCommand.self, ProbeMatrixCommand.self, OutsideCommand.self,
            EnterSubcommand.self,
        ])
}

HLab.main()
