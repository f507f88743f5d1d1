import HedgerowCore

/// The `hagent run --flow-log-*` values: sizes ("256MiB", "1GB", "1048576") and Go-style
/// durations ("24h", "1h30m"). Pure; nil for text that is not one.
public enum FlowHistoryArguments {
    public static func size(_ text: String) -> Int? {
        let digits = text.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let value = Double(digits) else { return nil }
        let units: [String: Double] = [
            "": 1, "B": 1, "K": 1e3, "KB": 1e3, "M": 1e6, "MB": 1e6, "G": 1e9, "GB": 1e9,
            "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824, "Ki": 1024, "Mi": 1_048_576, "Gi": 1_073_741_824,
        ]
        guard let unit = units[String(text.dropFirst(digits.count))] else { return nil }
        let bytes = value * unit
        guard bytes >= 1, bytes < 1e18 else { return nil }
        return Int(bytes)
    }

    /// Go's time.ParseDuration syntax (ns, us, µs, ms, s, m, h), positive only.
    public static func duration(_ text: String) -> Duration? {
        guard let nanoseconds = TimeArgument.duration(text), nanoseconds > 0 else { return nil }
        return .nanoseconds(nanoseconds)
    }
}
