import ArgumentParser
import Foundation

extension HPolicy {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check policy files offline (no agent): exit 0 when valid, 1 with every problem listed.")

        @Option(name: .shortAndLong, help: "A file, a directory of *.yaml/*.yml/*.json, or - for stdin. Repeatable.")
        var filename: [String]

        func run() throws {
            let result = PolicyFiles.validate(try PolicyFiles.read(filename))
            for warning in result.warnings { printError("warning: \(warning)") }
            guard result.errors.isEmpty else {
                for error in result.errors { printError("error: \(error)") }
                printError("\(result.errors.count) problem(s); nothing is valid until all are fixed")
                throw ExitCode.failure
            }
            print("valid: \(result.policies.count) polic\(result.policies.count == 1 ? "y" : "ies")")
            for policy in result.policies { print("  \(policy)") }
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
