import CLibBPF
import CLibBPFShim
import Glibc

/// Process-wide libbpf set-up and the capture of libbpf's messages around a call.
enum LibBPF {
    /// Capture size for calls other than object loads (which choose their own).
    static let defaultCaptureCapacity = 16 * 1024

    /// Installs the shim's print callback exactly once: from then on libbpf writes nothing to
    /// stderr. Every entry point of this module calls it before calling libbpf.
    static func initialize() { _ = installed }

    private static let installed: Void = clibbpf_log_install()

    /// Forwards messages up to `level` to `BPFLog`'s handler, or nothing when `level` is nil.
    static func setForwardLevel(_ level: BPFLog.Level?) {
        clibbpf_log_set_forward(level == nil ? nil : forwardToSwift, level?.rawValue ?? 0)
    }

    /// Runs `body` while capturing libbpf's warnings and informational messages on this thread
    /// (the last `capacity` bytes). `body` must not suspend: the capture is per thread.
    static func capturing<R>(capacity: Int = defaultCaptureCapacity, _ body: () throws -> R) rethrows -> (result: R, log: String) {
        initialize()
        let capture = clibbpf_log_capture_begin(capacity)
        do {
            let result = try body()
            return (result, endCapture(capture))
        } catch {
            _ = endCapture(capture)
            throw error
        }
    }

    private static func endCapture(_ capture: OpaquePointer?) -> String {
        guard let text = clibbpf_log_capture_end(capture) else { return "" }
        defer { free(text) }
        return String(cString: text)
    }

    /// The number of possible CPUs, which sizes per-CPU map values. Cached: it cannot change.
    static let possibleCPUs: Result<Int, BPFError> = {
        initialize()
        let count = libbpf_num_possible_cpus()
        if count <= 0 { return .failure(BPFError.system("count possible CPUs", errno: -count)) }
        return .success(Int(count))
    }()
}

/// libbpf's messages, handed to the handler installed with `BPFLog`.
private let forwardToSwift: clibbpf_log_forward_fn = { level, message in
    guard let message else { return }
    BPFLog.deliver(level: level, message: String(cString: message))
}
