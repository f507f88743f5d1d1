import Foundation

/// Reads the manifests directory: the standalone source of cluster state.
///
/// Only this type touches the files; parsing and validation are HedgerowCore's, pure.
struct ManifestDirectory: Sendable {
    let path: String

    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// A cheap fingerprint (names, sizes, modification times) to notice changes without reading.
    func fingerprint() -> [String] {
        manifestFiles().map { file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(file)|\(size)|\(modified)"
        }
    }

    /// Every manifest file with its contents, sorted by name (subdirectories included).
    func read() throws -> [(name: String, contents: String)] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ManifestDirectoryError(path: path, reason: "does not exist")
        }
        return try manifestFiles().map { file in
            do {
                return (name: file, contents: try String(contentsOfFile: file, encoding: .utf8))
            } catch {
                throw ManifestDirectoryError(path: file, reason: "cannot be read: \(error.localizedDescription)")
            }
        }
    }

    private func manifestFiles() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            // Editors leave hidden swap and backup files next to the manifests; skip them.
            guard !name.hasPrefix("."), Self.extensions.contains((name as NSString).pathExtension.lowercased())
            else { continue }
            files.append((path as NSString).appendingPathComponent(relative))
        }
        return files.sorted()
    }
}

struct ManifestDirectoryError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "manifests: \(path) \(reason)" }
}
