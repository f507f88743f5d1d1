import HedgerowCore

@testable import HedgerowAgent

/// Stored history held in an array (kept in time order, equal times in insertion order), as the
/// flow log reader delivers it.
struct ArrayHistory: FlowHistorySource {
    let flows: [Flow]

    init(_ flows: [Flow]) {
        self.flows = flows.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    func read(since: FlowTimestamp?, until: FlowTimestamp?, where filter: @escaping (Flow) -> Bool, _ body: (Flow) -> Bool) throws {
        for flow in flows {
            if let since, flow.time < since { continue }
            if let until, flow.time >= until { continue }
            guard filter(flow) else { continue }
            if !body(flow) { return }
        }
    }
}

func drain(_ store: FlowStore, _ query: FlowQuery, history: any FlowHistorySource) async -> [FlowStoreEvent] {
    var cursor = store.cursor(for: query, history: history)
    var events: [FlowStoreEvent] = []
    while let batch = await cursor.next() { events += batch }
    return events
}

extension FlowTestData {
    /// Time of flow `number` (see `flow(_:)`).
    static func time(_ number: Int) -> FlowTimestamp {
        FlowTimestamp(seconds: 1_700_000_000 + Int64(number), nanos: 5_000_000)
    }
}
