import Glibc

/// Pin paths on the BPF file system (bpffs, normally /sys/fs/bpf).
///
/// A pin is a file that holds a reference to a map, program or link: the object outlives
/// every process while the pin exists. Removing the pin drops that reference only.
public enum BPFPin {
    /// Creates `path` and its missing parents as directories (on bpffs, for pin roots).
    public static func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw BPFError.system("create pin directory", errno: errno, path: prefix)
            }
        }
    }

    /// Removes the pin at `path`. Returns false when there was none.
    @discardableResult
    public static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw BPFError.system("remove pin", errno: errno, path: path)
    }

    /// Removes a pin directory and everything pinned below it (for tests and teardown).
    public static func removeTree(_ path: String) throws {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return }
            throw BPFError.system("open pin directory", errno: errno, path: path)
        }
        var children: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            children.append((name, entry.pointee.d_type == UInt8(DT_DIR)))
        }
        closedir(directory)
        for child in children {
            let childPath = path + "/" + child.name
            if child.isDirectory { try removeTree(childPath) } else { try remove(childPath) }
        }
        if rmdir(path) != 0, errno != ENOENT { throw BPFError.system("remove pin directory", errno: errno, path: path) }
    }
}
