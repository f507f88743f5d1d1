import Foundation

/// One upstream NetworkPolicy e2e test, re-expressed as data (Tests/EndToEndTests/Conformance/cases/*.yaml):
///
///     cases:
///       - name: "should support a 'default-deny-ingress' policy"   # the upstream test's name
///         steps:
///           - apply: [<NetworkPolicy object>, ...]        # applied with hpolicy, in order
///             delete: [x/deny-all]                        # NetworkPolicy NAMESPACE/NAME
///             podLabels: {x/a: {pod: a, extra: "1"}}      # a pod's whole label set, replaced
///             namespaceLabels: {y: {ns: y, team: blue}}   # a namespace's labels, replaced
///             expect:                                     # one matrix per port/protocol
///               - {probe: 80/TCP, default: allow, deny: ["* > x/*"], allow: ["x/* > x/*"]}
///
/// In policies, "${x/a}" stands for pod x/a's IP and "${podCIDR}" for the node's pod CIDR.
/// An expectation starts from `default`, then sets the `deny` cells, then the `allow` cells;
/// a pod always reaches itself (upstream's AllowLoopback).
struct ConformanceCase {
    let name: String
    let file: String
    let steps: [Step]

    struct Step {
        var apply: [[String: Any]] = []
        var delete: [String] = []
        var podLabels: [PodName: [String: String]] = [:]
        var namespaceLabels: [String: [String: String]] = [:]
        var expectations: [Expectation] = []

        var changesLabels: Bool { !podLabels.isEmpty || !namespaceLabels.isEmpty }
    }

    struct Expectation {
        let port: UInt16
        let proto: String  // "tcp", "udp" or "sctp"
        let reachability: Reachability
        var label: String { "\(port)/\(proto.uppercased())" }
    }

    static func loadAll(directory: URL) throws -> [ConformanceCase] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        return try files.flatMap { file -> [ConformanceCase] in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            guard let root = try YAMLData.load(text, source: file) as? [String: Any], let cases = root["cases"] as? [[String: Any]] else {
                throw ConformanceError("\(file): expected a mapping with a `cases` list")
            }
            return try cases.enumerated().map { index, object in
                try decode(object, where: "\(file) cases[\(index)]", file: file)
            }
        }
    }

    private static func decode(_ object: [String: Any], where path: String, file: String) throws -> ConformanceCase {
        try expectKeys(object, ["name", "steps"], path)
        guard let name = object["name"] as? String else { throw ConformanceError("\(path).name: expected a string") }
        guard let steps = object["steps"] as? [[String: Any]], !steps.isEmpty else {
            throw ConformanceError("\(path) (\(name)).steps: expected a non-empty list")
        }
        return ConformanceCase(name: name, file: file, steps: try steps.enumerated().map { index, step in
            try decodeStep(step, "\(path) (\(name)).steps[\(index)]")
        })
    }

    private static func decodeStep(_ object: [String: Any], _ path: String) throws -> Step {
        try expectKeys(object, ["apply", "delete", "podLabels", "namespaceLabels", "expect"], path)
        var step = Step()
        if let apply = object["apply"] {
            guard let list = apply as? [[String: Any]] else { throw ConformanceError("\(path).apply: expected a list of objects") }
            step.apply = list
        }
        if let delete = object["delete"] {
            guard let list = delete as? [String] else { throw ConformanceError("\(path).delete: expected a list of NAMESPACE/NAME") }
            step.delete = list
        }
        if let labels = object["podLabels"] {
            guard let map = labels as? [String: Any] else { throw ConformanceError("\(path).podLabels: expected a mapping") }
            for (pod, value) in map {
                let parts = pod.split(separator: "/").map(String.init)
                guard parts.count == 2 else { throw ConformanceError("\(path).podLabels.\(pod): expected NS/POD") }
                step.podLabels[PodName(namespace: parts[0], name: parts[1])] = try stringMap(value, "\(path).podLabels.\(pod)")
            }
        }
        if let labels = object["namespaceLabels"] {
            guard let map = labels as? [String: Any] else { throw ConformanceError("\(path).namespaceLabels: expected a mapping") }
            for (namespace, value) in map {
                step.namespaceLabels[namespace] = try stringMap(value, "\(path).namespaceLabels.\(namespace)")
            }
        }
        guard let expect = object["expect"] as? [[String: Any]], !expect.isEmpty else {
            throw ConformanceError("\(path).expect: expected a non-empty list (every step is checked)")
        }
        step.expectations = try expect.enumerated().map { try decodeExpectation($1, "\(path).expect[\($0)]") }
        return step
    }

    private static func decodeExpectation(_ object: [String: Any], _ path: String) throws -> Expectation {
        try expectKeys(object, ["probe", "default", "deny", "allow"], path)
        guard let probe = object["probe"] as? String, let slash = probe.firstIndex(of: "/"),
              let port = UInt16(probe[..<slash]), ["tcp", "udp", "sctp"].contains(probe[probe.index(after: slash)...].lowercased())
        else { throw ConformanceError("\(path).probe: expected PORT/TCP, PORT/UDP or PORT/SCTP") }
        guard let defaultText = object["default"] as? String, ["allow", "deny"].contains(defaultText) else {
            throw ConformanceError("\(path).default: expected allow or deny")
        }
        var matrix = Reachability(defaultAllowed: defaultText == "allow")
        for (key, allowed) in [("deny", false), ("allow", true)] {
            guard let rules = object[key] else { continue }
            guard let list = rules as? [String] else { throw ConformanceError("\(path).\(key): expected a list of \"FROM > TO\"") }
            for rule in list {
                do { try matrix.set(rule, allowed: allowed) } catch { throw ConformanceError("\(path).\(key): \(error)") }
            }
        }
        matrix.allowLoopback()
        return Expectation(port: port, proto: probe[probe.index(after: slash)...].lowercased(), reachability: matrix)
    }

    private static func stringMap(_ value: Any, _ path: String) throws -> [String: String] {
        guard let map = value as? [String: Any] else { throw ConformanceError("\(path): expected a mapping of labels") }
        return try map.mapValues {
            guard let text = $0 as? String else { throw ConformanceError("\(path): label values must be strings (quote numbers)") }
            return text
        }
    }

    private static func expectKeys(_ object: [String: Any], _ known: Set<String>, _ path: String) throws {
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConformanceError("\(path).\(unknown): unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
    }
}
