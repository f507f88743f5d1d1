/// Plain-text tables for `hlab up` and `hlab list`.
public enum LabTables {
    public static func pods(_ state: LabState) -> String {
        let rows = state.pods.map { [$0.spec.qualifiedName, $0.spec.node, $0.ip ?? "-", $0.hostInterface ?? "-"] }
        return table(header: ["POD", "NODE", "IP", "HOST-IF"], rows: rows)
    }

    public static func summary(_ state: LabState) -> String {
        let nodes = state.nodes.map { node in
            "\(node.name) (\(node.podCIDR), netns \(node.netns)\(node.agentPID.map { ", agent pid \($0)" } ?? ""))"
        }
        return "lab \(state.name): \(state.pods.count) pods, agents \(state.options.withAgent ? "on" : "off"), nodes \(nodes.joined(separator: ", "))"
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
