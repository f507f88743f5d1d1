import Foundation
import HedgerowCore

/// Reads `-f` arguments: files, directories (their *.yaml, *.yml, *.json, sorted) or `-` (stdin).
enum PolicyFiles {
    static let policyKinds: Set<String> = ["NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"]

    static func read(_ paths: [String]) throws -> [(name: String, contents: String)] {
        var files: [(name: String, contents: String)] = []
        for path in paths {
            if path == "-" {
                files.append((name: "<stdin>", contents: String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw HPolicyError.input("\(path): no such file or directory")
            }
            let members = isDirectory.boolValue ? try directoryMembers(path) : [path]
            for member in members {
                guard let contents = try? String(contentsOfFile: member, encoding: .utf8) else {
                    throw HPolicyError.input("\(member): cannot be read as UTF-8 text")
                }
                files.append((name: member, contents: contents))
            }
        }
        return files
    }

    private static func directoryMembers(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { ["yaml", "yml", "json"].contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }
            .sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }

    /// Offline validation with the agent's own parser: every problem of every file, plus a
    /// warning for each object that is not a policy (hpolicy ignores those).
    static func validate(_ files: [(name: String, contents: String)]) -> (errors: [String], warnings: [String], policies: [String]) {
        var errors: [String] = [], warnings: [String] = [], policies: [String] = []
        for file in files {
            let parsed = ParsedManifest.parse(file: file.name, contents: file.contents)
            errors += parsed.errors.map(\.description)
            for item in parsed.items {
                let reference = item.object.reference
                if policyKinds.contains(reference.kind) {
                    policies.append("\(reference)")
                } else {
                    warnings.append("\(item.source) (\(reference)): not a policy, ignored by hpolicy")
                }
            }
        }
        return (errors, warnings, policies)
    }
}

enum HPolicyError: Error, CustomStringConvertible {
    case input(String)
    var description: String {
        switch self { case .input(let message): message }
    }
}
