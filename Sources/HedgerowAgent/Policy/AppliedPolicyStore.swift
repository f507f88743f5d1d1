import Foundation
import HedgerowCore
import Yams

/// Policies applied through the API (`hpolicy apply`), kept as the JSON of each object so that
/// a restarted agent re-reads them with the same strict parser, and `hpolicy get` shows them.
struct AppliedPolicy: Codable, Sendable, Equatable {
    var kind: String
    var namespace: String?
    var name: String
    /// The file it was applied from, for messages.
    var file: String
    var json: String

    var reference: ObjectReference { ObjectReference(kind: kind, namespace: namespace, name: name) }
}

struct AppliedPolicyStore: Sendable {
    let file: String

    init(stateDirectory: String) {
        file = (stateDirectory as NSString).appendingPathComponent("applied-policies.json")
    }

    func load() throws -> [AppliedPolicy] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        do {
            return try JSONDecoder().decode([AppliedPolicy].self, from: data)
        } catch {
            throw EndpointStoreError(file: file, reason: "is not a valid applied-policy list: \(error)")
        }
    }

    func save(_ policies: [AppliedPolicy]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try encoder.encode(policies), to: file)
    }
}

/// Turns policy files into validated policy objects plus the JSON of each, all or nothing.
enum PolicyDocuments {
    struct Parsed {
        var objects: [(object: PolicyObject, stored: AppliedPolicy)]
        var warnings: [String]
    }

    static func parse(_ files: [(name: String, contents: String)]) throws(PolicyInputError) -> Parsed {
        var errors: [String] = []
        var warnings: [String] = []
        var objects: [(object: PolicyObject, stored: AppliedPolicy)] = []
        var seen: [ObjectReference: String] = [:]
        for file in files {
            let parsed = ParsedManifest.parse(file: file.name, contents: file.contents)
            errors += parsed.errors.map(\.description)
            let documents = jsonDocuments(file.contents)
            for item in parsed.items {
                guard case .policy(let policy) = item.object else {
                    warnings.append("\(item.source) (\(item.object.reference)): not a policy, ignored")
                    continue
                }
                let reference = policy.reference
                if let other = seen[reference] {
                    errors.append("\(item.source) (\(reference)): defined twice (also in \(other))")
                    continue
                }
                seen[reference] = "\(item.source)"
                let json = documents[Key(reference)] ?? "{}"
                objects.append((policy, AppliedPolicy(
                    kind: reference.kind, namespace: reference.namespace, name: reference.name,
                    file: file.name, json: json)))
            }
        }
        guard errors.isEmpty else { throw PolicyInputError(problems: errors) }
        return Parsed(objects: objects, warnings: warnings)
    }

    /// Each object of a file as JSON, by kind/namespace/name (v1 List items one by one). The
    /// strict parser above has already judged the content; this only keeps the text.
    private static func jsonDocuments(_ contents: String) -> [Key: String] {
        guard let documents = try? Yams.load_all(yaml: contents) else { return [:] }
        var result: [Key: String] = [:]
        for document in documents {
            guard let object = document as? [String: Any] else { continue }
            let members = (object["kind"] as? String == "List") ? (object["items"] as? [[String: Any]] ?? []) : [object]
            for member in members {
                guard let key = Key(member),
                    let data = try? JSONSerialization.data(withJSONObject: member, options: [.sortedKeys])
                else { continue }
                result[key] = String(decoding: data, as: UTF8.self)
            }
        }
        return result
    }

    private struct Key: Hashable {
        var kind: String
        var namespace: String?
        var name: String

        init(_ reference: ObjectReference) {
            kind = reference.kind
            namespace = reference.namespace
            name = reference.name
        }

        init?(_ object: [String: Any]) {
            guard let kind = object["kind"] as? String, let kindValue = PolicyKind(rawValue: kind),
                let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String
            else { return nil }
            self.kind = kind
            self.name = name
            namespace = kindValue.isNamespaced ? (metadata["namespace"] as? String ?? "default") : nil
        }
    }
}

/// Every problem of a rejected request, one per line.
struct PolicyInputError: Error, CustomStringConvertible {
    var problems: [String]
    var description: String { problems.joined(separator: "\n") }
}

/// Replaces a file atomically (write a sibling, rename over).
enum AtomicWrite {
    static func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw EndpointStoreError(file: temporary, reason: "cannot be written")
        }
        guard rename(temporary, path) == 0 else {
            throw EndpointStoreError(file: path, reason: "cannot be replaced: \(String(cString: strerror(errno)))")
        }
    }
}
