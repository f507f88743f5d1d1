import HedgerowAPI
import HedgerowCore
import SwiftProtobuf

/// Turns GetFlows responses into text for one output format. Formatting is pure (strings in,
/// strings out) so that every format is tested against golden text; the table needs every row
/// before it can align them, so it returns its text from `finish()`.
struct FlowFormatter {
    let format: OutputFormat
    let timeFormat: TimeFormat
    let printNodeName: Bool
    let text: FlowText
    private var count = 0
    private var tableRows: [[String]] = []

    static let dictSeparator = "------------"

    init(format: OutputFormat, timeFormat: TimeFormat = .stampMilli, printNodeName: Bool = false, colors: Colorizer = Colorizer(enabled: false)) {
        self.format = format
        self.timeFormat = timeFormat
        self.printNodeName = printNodeName
        // Colours would break the table's alignment, as in Hubble.
        text = FlowText(colors: format.isTable ? Colorizer(enabled: false) : colors)
    }

    /// Text for standard output and for standard error (node status messages go there).
    mutating func format(_ response: Observer_GetFlowsResponse) -> (output: String, error: String) {
        switch response.responseTypes {
        case .flow(let flow)?: return (formatFlow(flow, response: response), "")
        case .lostEvents(let lost)?: return (formatLost(lost, response: response), "")
        case .nodeStatus(let status)?: return ("", formatNodeStatus(status, response: response))
        case nil: return ("", "")
        }
    }

    /// Whatever could only be written at the end (the table).
    mutating func finish() -> String {
        guard format.isTable, !tableRows.isEmpty else { return "" }
        defer { tableRows = [] }
        return Self.alignColumns(tableRows)
    }

    private mutating func formatFlow(_ flow: Flow_Flow, response: Observer_GetFlowsResponse) -> String {
        defer { count += 1 }
        let time = flow.hasTime ? timeFormat.format(FlowTimestamp(seconds: flow.time.seconds, nanos: flow.time.nanos)) : "N/A"
        var (source, destination) = text.hostNames(flow)
        switch format {
        case .json, .jsonpb:
            return Self.json(response)
        case .compact:
            var (sourceID, destinationID) = text.identities(flow)
            var arrow = "->"
            if !flow.hasIsReply {
                arrow = "<>"
            } else if flow.isReply.value {
                swap(&source, &destination)
                swap(&sourceID, &destinationID)
                arrow = "<-"
            }
            let node = printNodeName ? " [\(flow.nodeName)]" : ""
            return "\(time)\(node): \(source) \(sourceID) \(arrow) \(destination) \(destinationID) \(FlowText.type(flow)) \(text.verdict(flow)) (\(flow.summary))\n"
        case .dict:
            var lines = count == 0 ? "" : Self.dictSeparator + "\n"
            lines += "  TIMESTAMP: \(time)\n"
            if printNodeName { lines += "       NODE: \(flow.nodeName)\n" }
            lines += "     SOURCE: \(source)\n"
            lines += "DESTINATION: \(destination)\n"
            lines += "       TYPE: \(FlowText.type(flow))\n"
            lines += "    VERDICT: \(text.verdict(flow))\n"
            lines += "    SUMMARY: \(flow.summary)\n"
            return lines
        case .table, .tab:
            if tableRows.isEmpty {
                tableRows.append(["TIMESTAMP"] + (printNodeName ? ["NODE"] : []) + ["SOURCE", "DESTINATION", "TYPE", "VERDICT", "SUMMARY"])
            }
            tableRows.append(
                [time] + (printNodeName ? [flow.nodeName] : [])
                    + [source, destination, FlowText.type(flow), text.verdict(flow), flow.summary])
            return ""
        }
    }

    private mutating func formatLost(_ lost: Flow_LostEvent, response: Observer_GetFlowsResponse) -> String {
        let source = Self.lostSourceName(lost.source)
        let cpu = lost.hasCpu ? lost.cpu.value : 0
        switch format {
        case .json, .jsonpb:
            return Self.json(response)
        case .compact:
            return "EVENTS LOST: \(source) CPU(\(cpu)) \(lost.numEventsLost)\n"
        case .dict:
            defer { count += 1 }
            let time = response.hasTime ? timeFormat.format(FlowTimestamp(seconds: response.time.seconds, nanos: response.time.nanos)) : "N/A"
            return (count == 0 ? "" : Self.dictSeparator + "\n")
                + "  TIMESTAMP: \(time)\n     SOURCE: \(source)\n        CPU: \(cpu)\n EVENTS LOST: \(lost.numEventsLost)\n"
        case .table, .tab:
            let time = response.hasTime ? timeFormat.format(FlowTimestamp(seconds: response.time.seconds, nanos: response.time.nanos)) : "N/A"
            if tableRows.isEmpty {
                tableRows.append(["TIMESTAMP"] + (printNodeName ? ["NODE"] : []) + ["SOURCE", "DESTINATION", "TYPE", "VERDICT", "SUMMARY"])
            }
            tableRows.append([time] + (printNodeName ? [response.nodeName] : []) + ["", "", "EVENTS LOST", "", "\(source) CPU(\(cpu)) - \(lost.numEventsLost)"])
            return ""
        }
    }

    /// Only problems are shown, as Hubble does without --debug.
    private func formatNodeStatus(_ status: Relay_NodeStatusEvent, response: Observer_GetFlowsResponse) -> String {
        guard status.stateChange == .nodeError || status.stateChange == .nodeUnavailable else { return "" }
        if format.isJSON { return Self.json(response) }
        let nodes = status.nodeNames.joined(separator: ", ")
        return status.stateChange == .nodeError
            ? "Error \"\(status.message)\" on \(status.nodeNames.count) nodes: \(nodes)\n"
            : "\(status.nodeNames.count) nodes are unavailable: \(nodes)\n"
    }

    static func lostSourceName(_ source: Flow_LostEventSource) -> String {
        switch source {
        case .perfEventRingBuffer: "PERF_EVENT_RING_BUFFER"
        case .observerEventsQueue: "OBSERVER_EVENTS_QUEUE"
        case .hubbleRingBuffer: "HUBBLE_RING_BUFFER"
        default: "UNKNOWN_LOST_EVENT_SOURCE"
        }
    }

    /// Protobuf JSON with the .proto field names, one object per line, as Hubble prints it.
    static func json(_ response: Observer_GetFlowsResponse) -> String {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return ((try? response.jsonString(options: options)) ?? "{}") + "\n"
    }

    /// Go's tabwriter with minimum width 2 and padding 3: every cell but the last of a row is
    /// padded to its column's widest cell plus three spaces.
    static func alignColumns(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() where index < row.count - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        var output = ""
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index < row.count - 1 {
                    let width = max(widths[index] + 3, 2)
                    output += cell + String(repeating: " ", count: width - cell.count)
                } else {
                    output += cell
                }
            }
            output += "\n"
        }
        return output
    }
}
