/// The CNI operations this package implements.
public enum CNICommand: String, Hashable, Sendable, CaseIterable {
    case add = "ADD"
    case del = "DEL"
    case check = "CHECK"
    case version = "VERSION"
}

/// The CNI_* environment variables a plugin is invoked with, checked as the spec requires.
///
/// After a successful init: `containerID`, `ifName` and `path` are set for ADD, DEL and CHECK;
/// `netns` is set for ADD and CHECK (DEL may come without one, when the namespace is already
/// gone). Empty variables count as missing, as in libcni.
public struct CNIEnvironment: Hashable, Sendable {
    public var command: CNICommand
    public var containerID: String?
    public var netns: String?
    public var ifName: String?
    public var args: CNIArgs
    /// CNI_PATH split at ':'.
    public var path: [String]

    /// The longest interface name Linux accepts (IFNAMSIZ - 1).
    public static let maxInterfaceNameLength = 15

    /// Reads and validates the variables. Errors are code 4 ("invalid necessary environment
    /// variables") and name the variables.
    public init(environment: [String: String], knownArgs: Set<String> = CNIArgs.kubernetesKeys) throws(CNIError) {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        guard let commandText = value("CNI_COMMAND") else {
            throw CNIError(.invalidEnvironmentVariables, "required env variables [CNI_COMMAND] missing")
        }
        guard let command = CNICommand(rawValue: commandText) else {
            let known = ["GC", "STATUS"].contains(commandText) ? "unsupported" : "unknown"
            throw CNIError(
                .invalidEnvironmentVariables, "\(known) CNI_COMMAND \"\(commandText)\"",
                details: "this plugin supports " + CNICommand.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let missing = Self.requiredVariables(for: command).filter { value($0) == nil }
        if !missing.isEmpty {
            throw CNIError(.invalidEnvironmentVariables, "required env variables [\(missing.joined(separator: ", "))] missing")
        }
        self.command = command
        containerID = value("CNI_CONTAINERID")
        netns = value("CNI_NETNS")
        ifName = value("CNI_IFNAME")
        path = (value("CNI_PATH") ?? "").split(separator: ":").map(String.init)
        args = command == .version ? CNIArgs() : try CNIArgs(parsing: value("CNI_ARGS") ?? "", knownKeys: knownArgs)
        if command != .version {
            try Self.validateContainerID(containerID ?? "")
            try Self.validateInterfaceName(ifName ?? "")
        }
    }

    /// Per the spec (and libcni's skel): CNI_NETNS is optional for DEL only.
    public static func requiredVariables(for command: CNICommand) -> [String] {
        switch command {
        case .add, .check: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"]
        case .del: ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"]
        case .version: []
        }
    }

    /// A letter or digit, then letters, digits, '_', '.', '-' (libcni's rule).
    static func validateContainerID(_ id: String) throws(CNIError) {
        let bytes = Array(id.utf8)
        let valid = bytes.first.map(isAlphanumeric) == true
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        guard valid else {
            throw CNIError(
                .invalidEnvironmentVariables,
                "CNI_CONTAINERID \"\(id)\" is invalid: must start with a letter or digit and contain only letters, digits, '_', '.' and '-'"
            )
        }
    }

    /// Linux's rules for interface names: 1-15 bytes, not "." or "..", no '/', ':' or whitespace.
    static func validateInterfaceName(_ name: String) throws(CNIError) {
        var problem: String? = nil
        if name.utf8.count > maxInterfaceNameLength {
            problem = "longer than \(maxInterfaceNameLength) bytes"
        } else if name == "." || name == ".." {
            problem = "\".\" and \"..\" are not interface names"
        } else if name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
            problem = "contains '/', ':' or whitespace"
        }
        if let problem {
            throw CNIError(.invalidEnvironmentVariables, "CNI_IFNAME \"\(name)\" is invalid: \(problem)")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
