import ArgumentParser
import Foundation

/// `hflow`: Hubble's `observe` and `status` for a Hedgerow node.
///
/// Exit codes: 0 success, also when a follow is stopped with Ctrl-C or the reader of the output
/// goes away (`| head`); 1 when the server cannot be reached or fails the request; 2 for usage
/// errors (unknown flags, bad flag values), as cobra-based tools such as hubble exit.
@main
struct HFlow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hflow",
        abstract: "Observe network flows of a Hedgerow node, as `hubble observe` does.",
        discussion: "Exit codes: 0 success (also Ctrl-C and a closed pipe), 1 server or request failure, 2 usage error.",
        subcommands: [ObserveCommand.self, StatusCommand.self])

    static func main() async {
        // A closed pipe must surface as EPIPE from write(2), which OutputSink turns into exit 0.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(code: exitStatus(for: error), message: message(for: error))
        }
    }

    /// ArgumentParser exits 64 on usage errors; hflow exits 2 like hubble.
    static func exitStatus(for error: any Error) -> Int32 {
        if error is UsageError { return ExitStatus.usage }
        let code = exitCode(for: error)
        return code == .validationFailure ? ExitStatus.usage : code.rawValue
    }

    static func message(for error: any Error) -> String {
        if let usage = error as? UsageError { return "Error: \(usage.description)" }
        return fullMessage(for: error)
    }

    private static func exit(code: Int32, message: String) -> Never {
        if !message.isEmpty {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        Foundation.exit(code)
    }
}

enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
}

/// A flag value or combination hflow refuses (exit 2).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
