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

            Exit codes: 0 success (every affected endpoint enforces the result); 1 invalid input, \
            refused by the agent, or agent unreachable (nothing changed); 2 usage error; 3 stored \
            and enforced by the other endpoints, but the endpoints named on stderr could not \
            enforce it (e.g. more policy map entries than the per-endpoint limit of 16384): \
            each keeps its previous policy, whole, and is retried on every later change; for \
            `apply --dry-run` and `diff`, 3 means an observed connection would become denied.

            `suggest` learns least-privilege policies for a namespace from its observed flows.
            """,
        subcommands: [Apply.self, Diff.self, Delete.self, Get.self, Validate.self, Trace.self, Suggest.self])
}
