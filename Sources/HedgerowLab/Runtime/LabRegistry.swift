import Foundation

/// Finds labs on this machine: by name, or "the only one" when no name is given.
public enum LabRegistry {
    /// Labs with a readable state file.
    public static func running() -> [String] {
        LabStateStore.labNames().filter { FileManager.default.fileExists(atPath: LabLayout(lab: $0).stateFile) }
    }

    /// The lab a command acts on: `name` when given, else the only running lab.
    public static func resolve(_ name: String?) throws -> LabState {
        let lab: String
        if let name {
            lab = name
        } else {
            let labs = running()
            switch labs.count {
            case 0: throw LabError("no lab is running (start one with `hlab up -f FILE`)")
            case 1: lab = labs[0]
            default: throw LabError("several labs are running (\(labs.joined(separator: ", "))): say which one with --lab NAME")
            }
        }
        guard let state = try LabStateStore.load(lab: lab) else {
            throw LabError("lab '\(lab)' is not running (no \(LabLayout(lab: lab).stateFile))")
        }
        return state
    }

    /// "ns/pod" into its two parts.
    public static func parsePodReference(_ text: String) throws -> (namespace: String, pod: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw LabError("'\(text)' is not NAMESPACE/POD")
        }
        return (String(parts[0]), String(parts[1]))
    }

    /// Names of other labs that leave traces on this machine whose names start with
    /// "<lab>-": their objects share our prefixes and must not be taken for ours.
    static func labsExtending(_ lab: String) -> [String] {
        LabTeardown.labsWithTraces().filter { $0.hasPrefix("\(lab)-") }
    }
}
