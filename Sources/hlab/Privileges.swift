import Foundation
import HedgerowLab

/// Lab commands create namespaces, cgroups and pins: they need root, and say so plainly.
enum Privileges {
    static func requireRoot(_ command: String) throws {
        guard geteuid() == 0 else {
            throw LabError("hlab \(command) must run as root (it creates network namespaces, cgroups and BPF pins)")
        }
    }
}

/// Where messages about progress go (stdout is kept for tables and command output).
func note(_ message: String) {
    FileHandle.standardError.write(Data("hlab: \(message)\n".utf8))
}
