import Foundation
import Testing

@testable import HedgerowCore

/// Decodes policy YAML that must be valid; records the errors otherwise.
func decodePolicies(
    _ yaml: String, file: String = "policies/test.yaml", sourceLocation: SourceLocation = #_sourceLocation
) -> [PolicyObject] {
    let parsed = ParsedManifest.parse(file: file, contents: yaml)
    #expect(parsed.errors.map(\.description) == [], sourceLocation: sourceLocation)
    return parsed.items.compactMap { if case .policy(let policy) = $0.object { policy } else { nil } }
}

/// The one policy of a document that must be valid.
func decodePolicy(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> PolicyObject? {
    let policies = decodePolicies(yaml, sourceLocation: sourceLocation)
    #expect(policies.count == 1, sourceLocation: sourceLocation)
    return policies.first
}

func decodeNetworkPolicy(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> NetworkPolicy? {
    guard case .kubernetes(let policy)? = decodePolicy(yaml, sourceLocation: sourceLocation) else { return nil }
    return policy
}

func decodeCiliumPolicy(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> CiliumNetworkPolicy? {
    guard case .cilium(let policy)? = decodePolicy(yaml, sourceLocation: sourceLocation) else { return nil }
    return policy
}

/// The error lines of a file that must be invalid.
func policyErrors(_ yaml: String, file: String = "policies/test.yaml") -> [String] {
    ParsedManifest.parse(file: file, contents: yaml).errors.map(\.description)
}

/// A NetworkPolicy document in namespace x named p with `spec` (indented by two spaces).
func networkPolicyYAML(_ spec: String, name: String = "p", namespace: String = "x") -> String {
    """
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {namespace: \(namespace), name: \(name)}
    spec:
    \(spec)
    """
}

/// A CiliumNetworkPolicy document in namespace x named p with `spec` (indented by two spaces).
func ciliumPolicyYAML(_ spec: String, name: String = "p", namespace: String = "x") -> String {
    """
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: {namespace: \(namespace), name: \(name)}
    spec:
    \(spec)
    """
}

func key(_ text: String) -> NamespacedName {
    let parts = text.split(separator: "/")
    return NamespacedName(namespace: String(parts[0]), name: String(parts[1]))
}

/// The cluster of the upstream NetworkPolicy e2e tests: namespaces x, y, z (labelled ns=<name>),
/// pods a, b, c in each (labelled pod=<name>), serving 80 and 81 over TCP, UDP and SCTP with
/// named ports `serve-80-tcp` etc. Addresses: 10.0.<ns index>.<pod index>.
struct TestCluster {
    var namespaces: [Namespace]
    var pods: [Pod]
    var policies: [PolicyObject] = []

    static let namespaceNames = ["x", "y", "z"]
    static let podNames = ["a", "b", "c"]

    init() {
        namespaces = Self.namespaceNames.map { Namespace(name: $0, labels: ["ns": $0]) }
        pods = []
        for (n, namespace) in Self.namespaceNames.enumerated() {
            for (p, name) in Self.podNames.enumerated() {
                let ports = [80, 81].flatMap { number in
                    TransportProtocol.allCases.map {
                        ContainerPort(
                            name: "serve-\(number)-\($0.rawValue.lowercased())", port: UInt16(number), protocol: $0)
                    }
                }
                pods.append(
                    Pod(
                        namespace: namespace, name: name, labels: ["pod": name],
                        containers: [Container(name: "c", ports: ports)],
                        ips: [IPAddress("10.0.\(n + 1).\(p + 1)")!]))
            }
        }
    }

    func ip(_ pod: String) -> IPAddress { pods.first { $0.namespacedName == key(pod) }!.ips[0] }

    var inputs: PolicyInputs {
        PolicyInputs(state: ClusterState(namespaces: namespaces, pods: pods, policies: policies))
    }

    mutating func add(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) {
        policies += decodePolicies(yaml, sourceLocation: sourceLocation)
    }

    func compiler() -> PolicyCompiler { PolicyCompiler(inputs: inputs) }

    /// The connectivity matrix for one port and protocol: "x/a->y/b" for every allowed pair of
    /// distinct pods.
    func reachable(port: UInt16, protocol transport: TransportProtocol = .tcp) -> Set<String> {
        let compiler = compiler()
        var allowed: Set<String> = []
        for from in pods {
            for to in pods where from.namespacedName != to.namespacedName {
                let trace = try! compiler.trace(
                    PolicyTraceQuery(from: from.namespacedName, to: to.namespacedName, port: port, protocol: transport))
                if trace.isAllowed { allowed.insert("\(from.namespacedName)->\(to.namespacedName)") }
            }
        }
        return allowed
    }

    /// Every ordered pair of distinct pods (a pod's traffic to itself never meets policy).
    var allPairs: Set<String> {
        Set(pods.flatMap { from in pods.filter { $0 != from }.map { "\(from.namespacedName)->\($0.namespacedName)" } })
    }

    /// Pairs whose destination (or source) is one of `pods`.
    func pairs(to destinations: [String]) -> Set<String> {
        allPairs.filter { pair in destinations.contains { pair.hasSuffix("->" + $0) } }
    }

    func pairs(from sources: [String]) -> Set<String> {
        allPairs.filter { pair in sources.contains { pair.hasPrefix($0 + "->") } }
    }
}
