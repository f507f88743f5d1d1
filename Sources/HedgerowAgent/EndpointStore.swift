import Foundation

/// Persists endpoint registrations as one JSON file, replaced atomically (write + rename), so a
/// `kill -9` at any moment leaves either the old or the new set, never a torn file.
struct EndpointStore: Sendable {
    let file: String

    init(stateDirectory: String) {
        file = (stateDirectory as NSString).appendingPathComponent("endpoints.json")
    }

    func load() throws -> [EndpointRecord] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        do {
            return try JSONDecoder().decode([EndpointRecord].self, from: data)
        } catch {
            throw EndpointStoreError(file: file, reason: "is not a valid endpoint list: \(error)")
        }
    }

    func save(_ records: [EndpointRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try encoder.encode(records.sorted { $0.id < $1.id }), to: file)
    }
}

struct EndpointStoreError: Error, CustomStringConvertible {
    let file: String
    let reason: String
    var description: String { "endpoint state \(file) \(reason)" }
}
