import ArgumentParser
import Foundation
import HedgerowLab

struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Tear a lab down completely (also one that crashed or lost its state).")

    @Argument(help: "The lab's name (default: the only lab).")
    var name: String?

    @Option(name: [.short, .customLong("file")], help: "Take the lab's name from this lab file.")
    var file: String?

    @Flag(help: "Tear down every lab on this machine.")
    var all = false

    func run() throws {
        try Privileges.requireRoot("down")
        let enter = try EnterCommand.current()
        var failures: [String] = []
        for lab in try labs() {
            let teardown = LabTeardown(lab: lab, enter: enter, log: note)
            guard teardown.leavesTraces else {
                note("lab \(lab) is not running; nothing to remove")
                continue
            }
            do {
                try teardown.run()
                note("lab \(lab) removed")
            } catch {
                failures.append("\(error)")
            }
        }
        if !failures.isEmpty { throw LabError(failures.joined(separator: "\n")) }
    }

    private func labs() throws -> [String] {
        let given = [name, try file.map { try LabFileDecoder.load(path: $0).name }].compactMap { $0 }
        if all {
            guard given.isEmpty else { throw ValidationError("--all takes no lab name or file") }
            return LabTeardown.labsWithTraces()
        }
        if given.count > 1 { throw ValidationError("give a lab name or -f FILE, not both") }
        if let lab = given.first { return [lab] }
        let labs = LabTeardown.labsWithTraces()
        if labs.count > 1 { throw LabError("several labs exist (\(labs.joined(separator: ", "))): name one, or use --all") }
        if labs.isEmpty { note("no lab is running") }
        return labs
    }
}
