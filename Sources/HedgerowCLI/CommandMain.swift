import ArgumentParser
import Foundation

/// Exit codes shared by Hedgerow's CLIs: 0 success, 1 failure, 2 usage error (an unknown flag,
/// a bad flag value). ArgumentParser reports usage errors as 64 (EX_USAGE); Hubble's and
/// kubectl's users expect 2, as cobra-based tools exit.
public enum CommandExit {
    public static let usage: Int32 = 2

    /// Runs `Command` as the process's root command with the shared exit codes.
    public static func main<Command: AsyncParsableCommand>(_ command: Command.Type) async -> Never {
        do {
            var parsed = try Command.parseAsRoot()
            if var asyncCommand = parsed as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try parsed.run()
            }
            exit(0)
        } catch {
            let code = Command.exitCode(for: error)
            let message = Command.fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            exit(code == .validationFailure ? usage : code.rawValue)
        }
    }
}
