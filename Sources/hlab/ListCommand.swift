import ArgumentParser
import HedgerowLab

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the labs on this machine and their pods.")

    func run() throws {
        let labs = LabTeardown.labsWithTraces()
        if labs.isEmpty { print("no labs") }
        for (index, lab) in labs.enumerated() {
            if index > 0 { print("") }
            do {
                guard let state = try LabStateStore.load(lab: lab) else {
                    print("lab \(lab): leftovers without state (remove with `hlab down \(lab)`)")
                    continue
                }
                print(LabTables.summary(state))
                print(LabTables.pods(state))
            } catch {
                print("lab \(lab): \(error) (remove with `hlab down \(lab)`)")
            }
        }
    }
}
