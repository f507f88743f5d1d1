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

    /// Go's time.ParseDuration units (ns, us, µs, ms, s, m, h), positive only.
    public static func duration(_ text: String) -> Duration? {
        var rest = Substring(text)
        var nanoseconds: Double = 0
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest unit first: "ms" before "m".
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            nanoseconds += value * unit.1
        }
        guard nanoseconds > 0, nanoseconds < 9e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }
}
