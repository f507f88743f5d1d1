import Synchronization

/// Where libbpf's messages go.
///
/// HedgerowBPF owns libbpf's (process-wide) print callback: libbpf never writes to stderr.
/// Warnings and informational messages produced while this module loads an object or
/// performs another call are kept with that call and end up in the `BPFError` it throws
/// (`libbpfLog`, `verifierLog`). Every message up to the chosen level also goes to the
/// handler set here, if any (for an agent's log); without a handler they are dropped.
public enum BPFLog {
    public enum Level: Int32, Sendable, Comparable, CustomStringConvertible {
        case warning = 0
        case info = 1
        case debug = 2

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
        public var description: String { ["warning", "info", "debug"][Int(rawValue)] }
    }

    public typealias Handler = @Sendable (Level, String) -> Void

    /// Receives libbpf's messages up to `maximumLevel`, on the thread that called libbpf;
    /// `nil` drops them. The handler must not call back into HedgerowBPF.
    public static func setHandler(maximumLevel: Level = .info, _ handler: Handler?) {
        LibBPF.initialize()
        state.withLock { $0 = handler }
        LibBPF.setForwardLevel(handler == nil ? nil : maximumLevel)
    }

    static func deliver(level: Int32, message: String) {
        let handler = state.withLock { $0 }
        let trimmed = message.hasSuffix("\n") ? String(message.dropLast()) : message
        handler?(Level(rawValue: level) ?? .debug, trimmed)
    }

    private static let state = Mutex<Handler?>(nil)
}
