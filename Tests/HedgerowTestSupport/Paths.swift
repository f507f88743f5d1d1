import Foundation

/// Where built artefacts live, for tests. `make test` sets the variables; the fallbacks make a
/// plain `swift test` after `make` work too.
public enum TestPaths {
    /// The repository root, derived from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Directory holding the compiled BPF objects (`make bpf`).
    public static var bpfObjects: URL {
        if let dir = ProcessInfo.processInfo.environment["HEDGEROW_BPF_DIR"] { return URL(fileURLWithPath: dir) }
        return repositoryRoot.appendingPathComponent(".build/bpf")
    }

    /// Directory holding the built executables (hagent, hlab, hedgerow-cni, ...).
    public static var binaries: URL {
        if let dir = ProcessInfo.processInfo.environment["HEDGEROW_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return repositoryRoot.appendingPathComponent(".build/debug")
    }

    public static func bpfObject(_ name: String) -> String { bpfObjects.appendingPathComponent(name).path }
    public static func binary(_ name: String) -> String { binaries.appendingPathComponent(name).path }
}
