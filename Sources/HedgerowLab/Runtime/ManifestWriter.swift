import Foundation
import Yams

/// Writes the Kubernetes objects the agent reads in standalone mode (`hagent --manifests`).
/// Files are replaced atomically (hidden temporary, then rename) because the agent watches the
/// directory and must never read half a file.
public struct ManifestWriter: Sendable {
    public let layout: LabLayout

    public init(layout: LabLayout) { self.layout = layout }

    public func write(namespace: NamespaceSpec) throws {
        var labels = namespace.labels
        // The API server adds this label to every namespace; policies select namespaces by it.
        labels["kubernetes.io/metadata.name"] = namespace.name
        let object = NamespaceManifest(metadata: .init(name: namespace.name, namespace: nil, labels: labels))
        try store(object, at: layout.namespaceManifest(namespace.name))
    }

    /// The pod as the agent should see it; `podIP` is nil before CNI ADD has given it one.
    public func write(pod: PodSpec, podIP: String?) throws {
        let container = PodManifest.Container(
            name: "main", image: "hlab",
            ports: pod.ports.isEmpty ? nil : pod.ports.map { .init(name: $0.name, containerPort: $0.containerPort, protocol: $0.protocol.rawValue) })
        let status = podIP.map { PodManifest.Status(phase: "Running", podIP: $0, podIPs: [.init(ip: $0)]) }
            ?? PodManifest.Status(phase: "Pending", podIP: nil, podIPs: nil)
        let object = PodManifest(
            metadata: .init(name: pod.name, namespace: pod.namespace, labels: pod.labels),
            spec: .init(nodeName: pod.node, containers: [container]),
            status: status)
        try store(object, at: layout.podManifest(namespace: pod.namespace, pod: pod.name))
    }

    public func removePod(namespace: String, pod: String) throws {
        let path = layout.podManifest(namespace: namespace, pod: pod)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    private func store<T: Encodable>(_ object: T, at path: String) throws {
        let text = try YAMLEncoder().encode(object)
        try AtomicFile.write(Data(text.utf8), to: path)
    }
}

struct Metadata: Encodable {
    var name: String
    var namespace: String?
    var labels: [String: String]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(namespace, forKey: .namespace)
        // Sorted so the files are stable (dictionaries have no order).
        if !labels.isEmpty {
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .labels)
            for key in labels.keys.sorted() { try nested.encode(labels[key]!, forKey: Keys(stringValue: key)) }
        }
    }

    struct Keys: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        static let name = Keys(stringValue: "name")
        static let namespace = Keys(stringValue: "namespace")
        static let labels = Keys(stringValue: "labels")
    }
}

struct NamespaceManifest: Encodable {
    var apiVersion = "v1"
    var kind = "Namespace"
    var metadata: Metadata
}

struct PodManifest: Encodable {
    var apiVersion = "v1"
    var kind = "Pod"
    var metadata: Metadata
    var spec: Spec
    var status: Status

    struct Spec: Encodable {
        var nodeName: String
        var containers: [Container]
    }

    struct Container: Encodable {
        var name: String
        var image: String
        var ports: [Port]?
    }

    struct Port: Encodable {
        var name: String?
        var containerPort: Int
        var `protocol`: String
    }

    struct Status: Encodable {
        var phase: String
        var podIP: String?
        var podIPs: [PodIP]?
    }

    struct PodIP: Encodable { var ip: String }
}
