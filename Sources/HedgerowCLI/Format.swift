import HedgerowAPI

/// Plain-text rendering shared by the inspection commands.
public enum Format {
    public static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    public static func traffic(_ counters: Hedgerow_Agent_V1_TrafficCounters) -> String {
        "\(counters.packets) pkts / \(bytes(counters.bytes))"
    }

    public static func bytes(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 { amount /= 1024; unit += 1 }
        return unit == 0 ? "\(value) B" : String(format: "%.1f", amount) + " " + units[unit]
    }

    public static func duration(nanoseconds: UInt64) -> String {
        let ms = Double(nanoseconds) / 1e6
        if ms < 1000 { return String(format: "%.0f ms", ms) }
        let s = ms / 1000
        if s < 120 { return String(format: "%.1f s", s) }
        return "\(Int(s) / 3600)h\(Int(s) % 3600 / 60)m\(Int(s) % 60)s"
    }
}
