import ArgumentParser
import Foundation
import HedgerowLab

struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Build a lab from a lab file (removing leftovers of a crashed lab of the same name first).")

    @Option(name: [.short, .customLong("file")], help: "The lab file (YAML).")
    var file: String

    @Option(help: "Lab name, instead of the file's (to run several copies side by side).")
    var name: String?

    @Flag(help: "Build nodes and pods without starting hagent or chaining hedgerow-cni.")
    var withoutAgent = false

    @Option(help: "Directory of hagent and hedgerow-cni (default: $HEDGEROW_BIN_DIR, else hlab's own directory).")
    var binDir: String?

    @Option(help: "Directory of the compiled BPF objects (default: $HEDGEROW_BPF_DIR, else BIN_DIR/../bpf).")
    var bpfDir: String?

    @Flag(help: "Leave what was built in place when a step fails (for debugging; remove with `hlab down`).")
    var keepOnFailure = false

    func run() throws {
        try Privileges.requireRoot("up")
        let spec = try LabFileDecoder.load(path: file, nameOverride: name)
        let enter = try EnterCommand.current()
        let environment = ProcessInfo.processInfo.environment
        let bin = absolute(binDir ?? environment["HEDGEROW_BIN_DIR"] ?? (enter.hlab as NSString).deletingLastPathComponent)
        let bpf = absolute(bpfDir ?? environment["HEDGEROW_BPF_DIR"] ?? ((bin as NSString).deletingLastPathComponent as NSString).appendingPathComponent("bpf"))
        let options = LabOptions(withAgent: !withoutAgent, binDir: bin, bpfDir: bpf)
        let state = try LabBuilder(enter: enter, log: note).up(spec, options: options, keepOnFailure: keepOnFailure)
        print(LabTables.summary(state))
        print(LabTables.pods(state))
    }

    private func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }
}
