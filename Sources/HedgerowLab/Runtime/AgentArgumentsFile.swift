import Foundation

/// Extra `hagent run` arguments for one node's agent, from the file `agent-arguments` in the
/// node's lab directory: one argument per line, blank lines ignored. Read at every agent
/// start, so a test (or a user) can write it and restart the agent with `hlab agent start`
/// (e.g. `--flow-log` for flow history), without a lab-file field.
public enum AgentArgumentsFile {
    public static let fileName = "agent-arguments"

    /// The file's path for a node whose agent socket is `agentSocket` (both in the node directory).
    public static func path(agentSocket: String) -> String {
        (agentSocket as NSString).deletingLastPathComponent + "/" + fileName
    }

    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The arguments, or none when there is no file.
    public static func read(agentSocket: String) -> [String] {
        guard let text = try? String(contentsOfFile: path(agentSocket: agentSocket), encoding: .utf8) else { return [] }
        return parse(text)
    }
}
