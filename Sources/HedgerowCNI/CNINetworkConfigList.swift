import Foundation

/// A network configuration list (`.conflist`), runtime side: the plugins to run in order.
public struct CNINetworkConfigList: Hashable, Sendable {
    public var cniVersion: String
    public var name: String
    /// When true, runtimes must not call CHECK.
    public var disableCheck: Bool
    /// Each plugin's configuration as written (before the runtime injects anything).
    public var plugins: [[String: JSONValue]]
    public var otherFields: [String: JSONValue]

    public init(
        cniVersion: String = CNIVersion.current, name: String, disableCheck: Bool = false,
        plugins: [[String: JSONValue]], otherFields: [String: JSONValue] = [:]
    ) {
        self.cniVersion = cniVersion
        self.name = name
        self.disableCheck = disableCheck
        self.plugins = plugins
        self.otherFields = otherFields
    }

    /// The list as JSON, e.g. to write a .conflist file.
    public var json: JSONValue {
        var object = otherFields
        object["cniVersion"] = .string(cniVersion)
        object["name"] = .string(name)
        if disableCheck { object["disableCheck"] = .bool(true) }
        object["plugins"] = .array(plugins.map(JSONValue.object))
        return .object(object)
    }

    /// Each plugin's `type`: the executable to run.
    public var pluginTypes: [String] { plugins.map { $0["type"]?.stringValue ?? "" } }

    /// Decodes a .conflist. Errors: code 6 for malformed JSON or wrong types; code 7 for a
    /// missing name or version, no plugins, or a plugin without a type.
    public init(jsonData: Data) throws(CNIError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(jsonData)
        } catch {
            throw CNIError(.decodingFailure, "failed to decode network configuration list: invalid JSON", details: "\(error)")
        }
        try self.init(json: value)
    }

    public init(json: JSONValue) throws(CNIError) {
        let reader = try JSONObjectReader(json, path: "", code: .decodingFailure)
        guard let version = try reader.string("cniVersion"), CNIVersion.components(version) != nil else {
            throw CNIError(.invalidNetworkConfig, "configuration list has no valid cniVersion (e.g. \"1.0.0\")")
        }
        cniVersion = version
        let name = try reader.string("name") ?? ""
        guard CNINetworkConfig.isValidNetworkName(name) else {
            throw CNIError(.invalidNetworkConfig, name.isEmpty ? "configuration list has no name" : "invalid network name \"\(name)\"")
        }
        self.name = name
        // The spec writes it as a string ("true"); libcni also accepts a JSON boolean.
        switch reader.value("disableCheck") {
        case nil: disableCheck = false
        case .bool(let flag)?: disableCheck = flag
        case .string("true")?: disableCheck = true
        case .string("false")?: disableCheck = false
        case let other?:
            throw CNIError(.decodingFailure, "disableCheck: expected true or false, got \(other)")
        }
        let items = try reader.array("plugins") ?? []
        guard !items.isEmpty else { throw CNIError(.invalidNetworkConfig, "configuration list has no plugins") }
        plugins = []
        for item in items {
            let plugin = try JSONObjectReader(item.value, path: item.path, code: .decodingFailure)
            guard let type = try plugin.string("type"), !type.isEmpty else {
                throw CNIError(.invalidNetworkConfig, "\(item.path).type: required field is missing")
            }
            plugins.append(plugin.object)
        }
        otherFields = reader.otherFields(excluding: ["cniVersion", "name", "disableCheck", "plugins"])
    }
}
