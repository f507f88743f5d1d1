/// The CNI spec versions this library speaks.
///
/// Configurations of every supported version decode the same way. A `prevResult` is read with
/// the 1.0.0 shape; 0.3.x and 0.4.0 results differ only by `ips[].version`, which is kept as an
/// unrecognised field. 0.1.0 and 0.2.0 (no chaining, a different result shape) are not supported.
public enum CNIVersion {
    public static let current = "1.0.0"
    public static let supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0"]

    public static func isSupported(_ version: String) -> Bool { supported.contains(version) }

    /// `major.minor.patch` as numbers, nil when malformed.
    static func components(_ version: String) -> [Int]? {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        return parts.map { $0! }
    }

    /// True when `version` is at least `minimum` (both well-formed).
    static func isAtLeast(_ version: String, _ minimum: String) -> Bool {
        guard let lhs = components(version), let rhs = components(minimum) else { return false }
        return !lhs.lexicographicallyPrecedes(rhs)
    }

    /// CHECK, and `prevResult` on DEL, exist from 0.4.0 on.
    static func hasCheckAndDelResult(_ version: String) -> Bool { isAtLeast(version, "0.4.0") }
}

/// The answer to VERSION: `{"cniVersion": "1.0.0", "supportedVersions": [...]}`.
public struct CNIVersionInfo: Hashable, Sendable {
    public var cniVersion: String
    public var supportedVersions: [String]

    public init(cniVersion: String = CNIVersion.current, supportedVersions: [String] = CNIVersion.supported) {
        self.cniVersion = cniVersion
        self.supportedVersions = supportedVersions
    }

    public var json: JSONValue {
        .object([
            "cniVersion": .string(cniVersion),
            "supportedVersions": .array(supportedVersions.map(JSONValue.string)),
        ])
    }

    /// Reads a plugin's VERSION output (runtime side).
    public init(json: JSONValue) throws(CNIError) {
        let reader = try JSONObjectReader(json, path: "", code: .decodingFailure)
        cniVersion = try reader.requiredString("cniVersion")
        supportedVersions = try reader.stringArray("supportedVersions") ?? []
    }
}
