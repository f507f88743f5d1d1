import ArgumentParser
import HedgerowCLI

@main
struct HPolicy: AsyncParsableCommand {
    static func main() async { await CommandExit.main(Self.self) }

    static let configuration = CommandConfiguration(
        commandName: "hpolicy",
        abstract: "Apply, inspect, validate and trace Hedgerow network policies.",
        discussion: """
            Policies are Kubernetes NetworkPolicy, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy \
            objects (YAML or JSON, several documents per file).

            Exit codes: 0 success; 1 invalid input, refused by the agent, or agent unreachable; \
            2 usage error; 3 applied, but some endpoints did not enforce it within --timeout.
            """,
        subcommands: [Apply.self, Delete.self, Get.self, Validate.self, Trace.self])
}
