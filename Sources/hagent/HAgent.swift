import ArgumentParser
import HedgerowCLI

@main
struct HAgent: AsyncParsableCommand {
    static func main() async { await CommandExit.main(Self.self) }

    static let configuration = CommandConfiguration(
        commandName: "hagent",
        abstract: "Hedgerow node agent: identity-based policy, service translation and flow visibility in eBPF.",
        discussion: "`hagent run` is the daemon; the other commands inspect a running agent, as cilium-dbg does.",
        subcommands: [Run.self, Status.self, Endpoints.self, Services.self, Identities.self]
    )
}
