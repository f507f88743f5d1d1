import Foundation

/// The network configuration a plugin reads on stdin.
///
/// The well-known fields are typed; every other field (`ipam`, `dns`, `args`, `capabilities`,
/// and plugin-specific ones such as Hedgerow's `agentSocket`) is kept in `pluginFields`.
public struct CNINetworkConfig: Hashable, Sendable {
    public var cniVersion: String
    public var name: String
    public var type: String
    /// The previous plugin's result (ADD in a chain) or the cached ADD result (DEL, CHECK).
    public var prevResult: CNIResult?
    /// Capability arguments the runtime passes (e.g. `portMappings`).
    public var runtimeConfig: [String: JSONValue]
    public var pluginFields: [String: JSONValue]

    public init(
        cniVersion: String = CNIVersion.current, name: String, type: String, prevResult: CNIResult? = nil,
        runtimeConfig: [String: JSONValue] = [:], pluginFields: [String: JSONValue] = [:]
    ) {
        self.cniVersion = cniVersion
        self.name = name
        self.type = type
        self.prevResult = prevResult
        self.runtimeConfig = runtimeConfig
        self.pluginFields = pluginFields
    }

    static let wellKnownKeys: Set<String> = ["cniVersion", "name", "type", "prevResult", "runtimeConfig"]

    /// Decodes stdin. Errors, in the order a plugin checks: code 6 when the JSON is malformed
    /// or a field has the wrong type; code 1 when cniVersion is not supported (a missing
    /// cniVersion means 0.1.0, as in libcni); code 7 when name or type is missing or invalid.
    public init(stdin data: Data) throws(CNIError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            throw CNIError(.decodingFailure, "failed to decode network configuration: invalid JSON", details: "\(error)")
        }
        try self.init(json: value)
    }

    public init(json: JSONValue) throws(CNIError) {
        let reader = try JSONObjectReader(json, path: "", code: .decodingFailure)
        let version = try reader.string("cniVersion") ?? ""
        guard CNIVersion.isSupported(version) else {
            let supported = CNIVersion.supported.map { "\"\($0)\"" }.joined(separator: " ")
            let shown = version.isEmpty ? "missing (meaning 0.1.0)" : "\"\(version)\""
            throw CNIError(
                .incompatibleCNIVersion, "incompatible CNI versions",
                details: "config is \(shown), plugin supports [\(supported)]")
        }
        cniVersion = version
        let name = try reader.string("name") ?? ""
        guard Self.isValidNetworkName(name) else {
            throw CNIError(
                .invalidNetworkConfig,
                name.isEmpty ? "missing network name" : "invalid network name \"\(name)\"",
                details: "a network name starts with a letter or digit, followed by letters, digits, '_', '.' or '-'")
        }
        self.name = name
        guard let type = try reader.string("type"), !type.isEmpty else {
            throw CNIError(.invalidNetworkConfig, "missing plugin type")
        }
        self.type = type
        prevResult = try reader.value("prevResult").map { value throws(CNIError) in
            try CNIResult(json: value, path: "prevResult")
        }
        runtimeConfig = try reader.object("runtimeConfig") ?? [:]
        pluginFields = reader.otherFields(excluding: Self.wellKnownKeys)
    }

    /// The whole configuration as JSON (e.g. to pass to a delegated plugin).
    public var json: JSONValue {
        var object = pluginFields
        object["cniVersion"] = .string(cniVersion)
        object["name"] = .string(name)
        object["type"] = .string(type)
        if let prevResult { object["prevResult"] = prevResult.json }
        if !runtimeConfig.isEmpty { object["runtimeConfig"] = .object(runtimeConfig) }
        return .object(object)
    }

    /// Decodes the configuration into a plugin's own type (e.g. one with `agentSocket`);
    /// failures are code 7 (invalid network config).
    public func decodePluginConfig<T: Decodable>(_ type: T.Type) throws(CNIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: json.serialized())
        } catch {
            throw CNIError(.invalidNetworkConfig, "invalid \(self.type) configuration", details: "\(error)")
        }
    }

    /// Checks what the spec requires of a command beyond decoding: CHECK needs version 0.4.0 or
    /// later (code 1) and a prevResult (code 7).
    public func validate(for command: CNICommand) throws(CNIError) {
        guard command == .check else { return }
        guard CNIVersion.hasCheckAndDelResult(cniVersion) else {
            throw CNIError(.incompatibleCNIVersion, "config version does not allow CHECK", details: "cniVersion is \(cniVersion)")
        }
        guard prevResult != nil else {
            throw CNIError(.invalidNetworkConfig, "CHECK requires prevResult (the result of the ADD being checked)")
        }
    }

    /// The spec's rule for network names: `[A-Za-z0-9][A-Za-z0-9_.-]*`.
    static func isValidNetworkName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
