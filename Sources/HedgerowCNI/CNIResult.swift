import Foundation

/// A CNI Result (spec 1.0.0): what ADD prints, and what chained plugins get as `prevResult`.
///
/// Fields this package does not interpret (`mtu`, `ips[].version` of 0.x results, future
/// additions) are kept in `otherFields` at every level, so decoding then encoding gives back the
/// same JSON: a chained plugin returns its `prevResult` unchanged. Empty `interfaces`, `ips` and
/// `routes` arrays are written as absent, which the spec treats alike.
public struct CNIResult: Hashable, Sendable {
    public var cniVersion: String
    public var interfaces: [Interface]
    public var ips: [IPConfig]
    public var routes: [Route]
    public var dns: DNS?
    public var otherFields: [String: JSONValue]

    public init(
        cniVersion: String = CNIVersion.current, interfaces: [Interface] = [], ips: [IPConfig] = [],
        routes: [Route] = [], dns: DNS? = nil, otherFields: [String: JSONValue] = [:]
    ) {
        self.cniVersion = cniVersion
        self.interfaces = interfaces
        self.ips = ips
        self.routes = routes
        self.dns = dns
        self.otherFields = otherFields
    }

    /// An interface a plugin created or configured.
    public struct Interface: Hashable, Sendable {
        public var name: String
        public var mac: String?
        /// The network namespace path for interfaces inside the container; nil or empty for
        /// host-side interfaces.
        public var sandbox: String?
        public var otherFields: [String: JSONValue]

        public init(name: String, mac: String? = nil, sandbox: String? = nil, otherFields: [String: JSONValue] = [:]) {
            self.name = name
            self.mac = mac
            self.sandbox = sandbox
            self.otherFields = otherFields
        }

        public var isInSandbox: Bool { !(sandbox ?? "").isEmpty }
    }

    /// An address assigned to an interface.
    public struct IPConfig: Hashable, Sendable {
        /// The address with its prefix length: "10.1.0.2/24".
        public var address: String
        public var gateway: String?
        /// Index into `interfaces` of the interface holding the address.
        public var interface: Int?
        public var otherFields: [String: JSONValue]

        public init(address: String, gateway: String? = nil, interface: Int? = nil, otherFields: [String: JSONValue] = [:]) {
            self.address = address
            self.gateway = gateway
            self.interface = interface
            self.otherFields = otherFields
        }

        /// The address without its prefix length: "10.1.0.2".
        public var ip: String { String(address.prefix { $0 != "/" }) }

        /// The prefix length: 24 for "10.1.0.2/24".
        public var prefixLength: Int? { address.split(separator: "/").dropFirst().first.flatMap { Int($0) } }
    }

    public struct Route: Hashable, Sendable {
        /// Destination prefix: "0.0.0.0/0".
        public var dst: String
        public var gw: String?
        public var otherFields: [String: JSONValue]

        public init(dst: String, gw: String? = nil, otherFields: [String: JSONValue] = [:]) {
            self.dst = dst
            self.gw = gw
            self.otherFields = otherFields
        }
    }

    public struct DNS: Hashable, Sendable {
        public var nameservers: [String]?
        public var domain: String?
        public var search: [String]?
        public var options: [String]?
        public var otherFields: [String: JSONValue]

        public init(
            nameservers: [String]? = nil, domain: String? = nil, search: [String]? = nil, options: [String]? = nil,
            otherFields: [String: JSONValue] = [:]
        ) {
            self.nameservers = nameservers
            self.domain = domain
            self.search = search
            self.options = options
            self.otherFields = otherFields
        }
    }
}

// MARK: Decoding

extension CNIResult {
    /// Decodes a result; `path` prefixes field paths in errors (e.g. "prevResult"). Errors are
    /// code 6 (failed to decode content).
    public init(json: JSONValue, path: String = "") throws(CNIError) {
        let reader = try JSONObjectReader(json, path: path, code: .decodingFailure)
        cniVersion = try reader.requiredString("cniVersion")
        interfaces = []
        for item in try reader.array("interfaces") ?? [] {
            let field = try JSONObjectReader(item.value, path: item.path, code: .decodingFailure)
            interfaces.append(
                Interface(
                    name: try field.requiredString("name"), mac: try field.string("mac"),
                    sandbox: try field.string("sandbox"),
                    otherFields: field.otherFields(excluding: ["name", "mac", "sandbox"])))
        }
        ips = []
        for item in try reader.array("ips") ?? [] {
            let field = try JSONObjectReader(item.value, path: item.path, code: .decodingFailure)
            let address = try field.requiredString("address")
            try Self.validatePrefix(address, path: field.fieldPath("address"))
            ips.append(
                IPConfig(
                    address: address, gateway: try field.string("gateway"), interface: try field.integer("interface"),
                    otherFields: field.otherFields(excluding: ["address", "gateway", "interface"])))
        }
        routes = []
        for item in try reader.array("routes") ?? [] {
            let field = try JSONObjectReader(item.value, path: item.path, code: .decodingFailure)
            let dst = try field.requiredString("dst")
            try Self.validatePrefix(dst, path: field.fieldPath("dst"))
            routes.append(Route(dst: dst, gw: try field.string("gw"), otherFields: field.otherFields(excluding: ["dst", "gw"])))
        }
        dns = nil
        if let value = reader.value("dns") {
            let field = try JSONObjectReader(value, path: reader.fieldPath("dns"), code: .decodingFailure)
            dns = DNS(
                nameservers: try field.stringArray("nameservers"), domain: try field.string("domain"),
                search: try field.stringArray("search"), options: try field.stringArray("options"),
                otherFields: field.otherFields(excluding: ["nameservers", "domain", "search", "options"]))
        }
        otherFields = reader.otherFields(excluding: ["cniVersion", "interfaces", "ips", "routes", "dns"])
    }

    /// Decodes a result from JSON text (e.g. a plugin's stdout).
    public init(jsonData: Data) throws(CNIError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(jsonData)
        } catch {
            throw CNIError(.decodingFailure, "failed to decode CNI result: invalid JSON", details: "\(error)")
        }
        try self.init(json: value)
    }

    /// A prefix in CIDR form: something, '/', a length of at most 128. The address itself is
    /// left to consumers (this package does not parse IP addresses).
    private static func validatePrefix(_ text: String, path: String) throws(CNIError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let length = Int(parts[1]), (0...128).contains(length),
            parts[0].contains(".") || parts[0].contains(":")
        else {
            throw CNIError(.decodingFailure, "\(path): \"\(text)\" is not an address with a prefix length (e.g. \"10.1.0.2/24\")")
        }
    }
}

// MARK: Encoding

extension CNIResult {
    public var json: JSONValue {
        var object = otherFields
        object["cniVersion"] = .string(cniVersion)
        if !interfaces.isEmpty {
            object["interfaces"] = .array(
                interfaces.map { interface in
                    var fields = interface.otherFields
                    fields["name"] = .string(interface.name)
                    fields["mac"] = interface.mac.map(JSONValue.string)
                    fields["sandbox"] = interface.sandbox.map(JSONValue.string)
                    return .object(fields)
                })
        }
        if !ips.isEmpty {
            object["ips"] = .array(
                ips.map { ip in
                    var fields = ip.otherFields
                    fields["address"] = .string(ip.address)
                    fields["gateway"] = ip.gateway.map(JSONValue.string)
                    fields["interface"] = ip.interface.map(JSONValue.integer)
                    return .object(fields)
                })
        }
        if !routes.isEmpty {
            object["routes"] = .array(
                routes.map { route in
                    var fields = route.otherFields
                    fields["dst"] = .string(route.dst)
                    fields["gw"] = route.gw.map(JSONValue.string)
                    return .object(fields)
                })
        }
        if let dns {
            var fields = dns.otherFields
            fields["nameservers"] = dns.nameservers.map { .array($0.map(JSONValue.string)) }
            fields["domain"] = dns.domain.map(JSONValue.string)
            fields["search"] = dns.search.map { .array($0.map(JSONValue.string)) }
            fields["options"] = dns.options.map { .array($0.map(JSONValue.string)) }
            object["dns"] = .object(fields)
        }
        return .object(object)
    }

    /// JSON text, keys sorted.
    public func jsonData(pretty: Bool = false) -> Data { json.serialized(pretty: pretty) }
}
