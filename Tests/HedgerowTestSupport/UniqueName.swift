import Foundation

/// Names for namespaces, links, cgroups and pin paths that never collide between tests running
/// side by side (or with a lab on the same machine). Fits Linux's 15-character interface names.
public enum UniqueName {
    private static let counter = Counter()

    /// `prefix` plus a per-process, per-call suffix, at most 15 characters in all.
    public static func make(_ prefix: String) -> String {
        let n = counter.next()
        let pid = UInt32(getpid()) % 0x10000
        let suffix = String(pid, radix: 36) + "x" + String(n, radix: 36)
        return String(prefix.prefix(15 - suffix.count)) + suffix
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
