/// One `KEY=VALUE` pair of CNI_ARGS.
public struct CNIArg: Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public var description: String { "\(key)=\(value)" }
}

/// CNI_ARGS: `KEY=VALUE` pairs separated by `;`, read as libcni's plugins read them.
///
/// A pair must contain exactly one `=` and a key. Keys the plugin does not know are refused
/// unless `IgnoreUnknown` is true (`1`/`true`), which is why runtimes pass `IgnoreUnknown=1`
/// first. The keys Kubernetes runtimes pass are exposed typed.
public struct CNIArgs: Hashable, Sendable, CustomStringConvertible {
    public static let ignoreUnknownKey = "IgnoreUnknown"
    public static let podNamespaceKey = "K8S_POD_NAMESPACE"
    public static let podNameKey = "K8S_POD_NAME"
    public static let podInfraContainerIDKey = "K8S_POD_INFRA_CONTAINER_ID"
    public static let podUIDKey = "K8S_POD_UID"

    /// The keys Kubernetes runtimes pass, plus IgnoreUnknown: what this package's plugin knows.
    public static let kubernetesKeys: Set<String> = [
        ignoreUnknownKey, podNamespaceKey, podNameKey, podInfraContainerIDKey, podUIDKey,
    ]

    /// In the order given.
    public private(set) var pairs: [CNIArg]

    public init(_ pairs: [CNIArg] = []) { self.pairs = pairs }

    /// Parses CNI_ARGS; errors are code 4 (the variable is invalid) and name it.
    public init(parsing text: String, knownKeys: Set<String> = CNIArgs.kubernetesKeys) throws(CNIError) {
        var pairs: [CNIArg] = []
        if !text.isEmpty {
            for pair in text.split(separator: ";", omittingEmptySubsequences: false) {
                let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw CNIError(.invalidEnvironmentVariables, "CNI_ARGS: invalid pair \"\(pair)\" (expected KEY=VALUE)")
                }
                pairs.append(CNIArg(String(parts[0]), String(parts[1])))
            }
        }
        self.pairs = pairs
        let ignoreUnknown = try Self.parseBool(self[Self.ignoreUnknownKey] ?? "false", key: Self.ignoreUnknownKey)
        let unknown = pairs.filter { !knownKeys.contains($0.key) }
        if !unknown.isEmpty && !ignoreUnknown {
            let list = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
            throw CNIError(
                .invalidEnvironmentVariables, "CNI_ARGS: unknown args [\(list)]",
                details: "pass \(Self.ignoreUnknownKey)=1 to ignore arguments the plugin does not know")
        }
    }

    /// The value of the last pair with this key (libcni applies pairs in order).
    public subscript(key: String) -> String? { pairs.last { $0.key == key }?.value }

    public var ignoreUnknown: Bool { (try? Self.parseBool(self[Self.ignoreUnknownKey] ?? "false", key: "")) ?? false }
    public var podNamespace: String? { self[Self.podNamespaceKey] }
    public var podName: String? { self[Self.podNameKey] }
    public var podInfraContainerID: String? { self[Self.podInfraContainerIDKey] }
    public var podUID: String? { self[Self.podUIDKey] }

    /// The CNI_ARGS text: `K=V;K=V`.
    public var description: String { pairs.map(\.description).joined(separator: ";") }

    /// libcni's boolean arguments: `1`/`true` and `0`/`false`, any case.
    private static func parseBool(_ text: String, key: String) throws(CNIError) -> Bool {
        switch text.lowercased() {
        case "1", "true": return true
        case "0", "false": return false
        default: throw CNIError(.invalidEnvironmentVariables, "CNI_ARGS: \(key)=\(text) is not a boolean (1, true, 0, false)")
        }
    }
}
