/// A `[namespace/]name-prefix` filter value for pods and services, with Hubble's meaning:
/// no slash means the "default" namespace; `ns/` is every name in `ns`; an empty namespace
/// (`/prefix`, or `/` from `--all-namespaces`) is any namespace.
public struct NamespacedPrefix: Sendable, Hashable {
    /// nil: any namespace.
    public var namespace: String?
    public var prefix: String

    public init(namespace: String?, prefix: String) {
        self.namespace = namespace
        self.prefix = prefix
    }

    public init(parsing text: String, field: String) throws(FlowFilterError) {
        guard !text.isEmpty else {
            throw FlowFilterError(field: field, value: text, reason: "must be [namespace/][name-prefix]")
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 1 {
            self.init(namespace: "default", prefix: text)
        } else {
            guard !parts[1].contains("/") else {
                throw FlowFilterError(field: field, value: text, reason: "more than one \"/\"")
            }
            self.init(namespace: parts[0].isEmpty ? nil : String(parts[0]), prefix: String(parts[1]))
        }
    }

    /// Ends without a namespace and a name (world, host) never match.
    public func matches(namespace: String, name: String) -> Bool {
        guard !(namespace.isEmpty && name.isEmpty) else { return false }
        if let wanted = self.namespace, wanted != namespace { return false }
        return name.hasPrefix(prefix)
    }
}

/// Hubble's node name pattern: `node`, `cluster/node`, `cluster/` with `*` matching any run of
/// name characters. A pattern without "/" matches every cluster; node names without a cluster are
/// in cluster "default".
public struct NodeNamePattern: Sendable, Hashable {
    public let cluster: String
    public let node: String

    public init(parsing text: String) throws(FlowFilterError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1 where !text.isEmpty: (cluster, node) = ("", parts[0].lowercased())
        case 2: (cluster, node) = (parts[0].lowercased(), parts[1].lowercased())
        default: throw FlowFilterError(field: "node_name", value: text, reason: "must be [cluster/]node with at most one \"/\"")
        }
        for character in cluster + node where !(character.isLetter || character.isNumber || "-_.*".contains(character)) {
            throw FlowFilterError(field: "node_name", value: text, reason: "invalid character \"\(character)\"")
        }
    }

    public func matches(_ nodeName: String) -> Bool {
        guard !nodeName.isEmpty else { return false }
        let parts = nodeName.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let (clusterName, node) = parts.count == 2 ? (String(parts[0]), String(parts[1])) : ("default", nodeName)
        return (cluster.isEmpty || Self.glob(cluster, clusterName.lowercased()))
            && (self.node.isEmpty || Self.glob(self.node, node.lowercased()))
    }

    /// `*` matches any (possibly empty) run of characters; everything else literally.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var (pi, ti, star, mark) = (0, 0, -1, 0)
        while ti < t.count {
            if pi < p.count && p[pi] != "*" && p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// An IP filter value: an exact address or a CIDR (host bits allowed, as Hubble allows them).
public enum IPFilterValue: Sendable, Hashable {
    case address(IPAddress)
    case prefix(IPPrefix)

    public init(parsing text: String, field: String) throws(FlowFilterError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])), parts.count <= 2 else {
            throw FlowFilterError(field: field, value: text, reason: "not an IP address or CIDR")
        }
        guard parts.count == 2 else {
            self = .address(address)
            return
        }
        guard parts[1].allSatisfy(\.isNumber), let length = UInt8(parts[1]),
            let prefix = IPPrefix(address: address, length: length)
        else {
            throw FlowFilterError(field: field, value: text, reason: "invalid prefix length")
        }
        self = .prefix(prefix)
    }

    public func matches(_ address: IPAddress) -> Bool {
        switch self {
        case .address(let wanted): wanted == address
        case .prefix(let prefix): prefix.contains(address)
        }
    }
}
