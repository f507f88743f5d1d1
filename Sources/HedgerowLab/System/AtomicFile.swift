import Foundation

/// Writes a file so readers see either the old or the new contents, never a mix: a hidden
/// temporary beside it, then rename(2).
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, path) == 0 else { throw SystemError("rename \(temporary.path) to \(path)") }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
