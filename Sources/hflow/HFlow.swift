import ArgumentParser

@main
struct HFlow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hflow",
        abstract: "Observe network flows of a Hedgerow node, as `hubble observe` does.")
}
