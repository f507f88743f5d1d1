import Foundation

/// Reads lab files (and single-pod files for `hlab add-pod`) strictly: unknown fields, wrong
/// types and broken rules are `LabFileError`s naming the file, line and field path.
public enum LabFileDecoder {
    /// Reads and validates a lab file. `nameOverride` (from `hlab up --name`) replaces the
    /// file's `name`, which may then be absent.
    public static func load(path: String, nameOverride: String? = nil) throws -> LabSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LabFileError(location: path, path: "", reason: "cannot be read: \(error.localizedDescription)")
        }
        return try decode(yaml: text, file: path, nameOverride: nameOverride)
    }

    public static func decode(yaml: String, file: String, nameOverride: String? = nil) throws -> LabSpec {
        let root = try StrictYAML.parse(yaml, file: file)
        let fields = try root.fields(allowed: ["name", "nodes", "namespaces", "pods", "underlay"])
        let name: String
        if let nameOverride {
            name = nameOverride
        } else {
            name = try fields.required("name").string()
        }
        let nodes = try fields.required("nodes").sequence().map(decodeNode)
        let namespaces = try (fields.optional("namespaces")?.sequence() ?? []).map(decodeNamespace)
        let onlyNode = nodes.count == 1 ? nodes[0].name : nil
        let pods = try (fields.optional("pods")?.sequence() ?? []).map { try decodePod($0, defaultNode: onlyNode) }
        var underlay: IPv4CIDR?
        if let value = try fields.optional("underlay") {
            let text = try value.string()
            guard let cidr = IPv4CIDR(text) else {
                throw value.error("'\(text)' is not an IPv4 CIDR with zero host bits (like 192.168.200.0/24)")
            }
            underlay = cidr
        }
        let spec = LabSpec(name: name, nodes: nodes, namespaces: namespaces, pods: pods, underlay: underlay)
        try LabValidator.validate(spec, locator: LabFileLocator(file: file, marks: root.marks))
        return spec
    }

    /// A single pod, as `hlab add-pod -f FILE` takes it: the fields of one `pods` entry.
    /// Checked against the running lab by the caller (`LabValidator.validate(pod:in:)`).
    public static func decodePod(yaml: String, file: String, defaultNode: String? = nil) throws -> PodSpec {
        let root = try StrictYAML.parse(yaml, file: file)
        return try decodePod(root, defaultNode: defaultNode)
    }

    static func decodeNode(_ value: StrictYAML) throws -> NodeSpec {
        let fields = try value.fields(allowed: ["name", "podCIDR"])
        let cidrValue = try fields.required("podCIDR")
        let cidrText = try cidrValue.string()
        guard let cidr = IPv4CIDR(cidrText) else {
            throw cidrValue.error("'\(cidrText)' is not an IPv4 CIDR with zero host bits (like 10.244.1.0/24)")
        }
        return NodeSpec(name: try fields.required("name").string(), podCIDR: cidr)
    }

    static func decodeNamespace(_ value: StrictYAML) throws -> NamespaceSpec {
        let fields = try value.fields(allowed: ["name", "labels"])
        return NamespaceSpec(
            name: try fields.required("name").string(),
            labels: try fields.optional("labels")?.stringMap() ?? [:])
    }

    static func decodePod(_ value: StrictYAML, defaultNode: String?) throws -> PodSpec {
        let fields = try value.fields(allowed: ["namespace", "name", "node", "labels", "ports"])
        let node: String
        if let given = fields.optional("node") {
            node = try given.string()
        } else if let defaultNode {
            node = defaultNode
        } else {
            throw LabFileError(
                location: value.location, path: "\(value.path).node",
                reason: "required field is missing (it may be left out only when the lab has one node)")
        }
        return PodSpec(
            namespace: try fields.required("namespace").string(),
            name: try fields.required("name").string(),
            node: node,
            labels: try fields.optional("labels")?.stringMap() ?? [:],
            ports: try (fields.optional("ports")?.sequence() ?? []).map(decodePort))
    }

    static func decodePort(_ value: StrictYAML) throws -> ContainerPort {
        let fields = try value.fields(allowed: ["name", "containerPort", "protocol"])
        var proto = PortProtocol.tcp
        if let protoValue = fields.optional("protocol") {
            let text = try protoValue.string()
            guard let parsed = PortProtocol(rawValue: text) else {
                throw protoValue.error("'\(text)' is not one of TCP, UDP, SCTP")
            }
            proto = parsed
        }
        return ContainerPort(
            name: try fields.optional("name")?.string(),
            containerPort: try fields.required("containerPort").int(),
            protocol: proto)
    }
}

/// Turns a field path back into "file:line:column" for errors found after decoding.
public struct LabFileLocator {
    public let file: String
    let marks: MarkBook?

    init(file: String, marks: MarkBook?) {
        self.file = file
        self.marks = marks
    }

    /// For specs that did not come from a file (flags): errors name `source` only.
    public init(source: String) { self.init(file: source, marks: nil) }

    func error(_ path: String, _ reason: String) -> LabFileError {
        // The closest recorded ancestor gives the line when the exact path has none.
        var probe = path
        while true {
            if let mark = marks?.mark(for: probe) {
                return LabFileError(location: "\(file):\(mark.line):\(mark.column)", path: path, reason: reason)
            }
            guard let cut = probe.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            probe = String(probe[..<cut])
        }
        return LabFileError(location: file, path: path, reason: reason)
    }
}
