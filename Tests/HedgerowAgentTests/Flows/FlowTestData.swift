import HedgerowCore

@testable import HedgerowAgent

/// Flows numbered by their source port, so that tests can say which ones they got.
enum FlowTestData {
    static let client = FlowEndpoint.pod(
        id: 3, identity: SecurityIdentity(rawValue: 256), namespace: "x", name: "a", labels: ["app": "a"])
    static let server = FlowEndpoint.pod(
        id: 4, identity: SecurityIdentity(rawValue: 257), namespace: "y", name: "b", labels: ["app": "b"])

    /// Flow `number`: time = base + number seconds, TCP from port `number` to 80; every third
    /// one dropped by policy.
    static func flow(_ number: Int, node: String = "node-1") -> Flow {
        let dropped = number % 3 == 0
        return Flow(
            time: FlowTimestamp(seconds: 1_700_000_000 + Int64(number), nanos: 5_000_000),
            verdict: dropped ? .dropped : .forwarded, dropReason: dropped ? .policyDenied : nil,
            ip: FlowIP(source: IPAddress("10.0.1.5")!, destination: IPAddress("10.0.2.7")!),
            l4: .tcp(sourcePort: UInt16(number), destinationPort: 80, flags: .syn),
            source: client, destination: server, nodeName: node, isReply: false,
            eventType: dropped ? .drop(.policyDenied) : .trace(.toEndpoint), trafficDirection: .ingress,
            observationPoint: dropped ? nil : .toEndpoint)
    }

    static func store(capacity: Int = 7, flows: ClosedRange<Int>) throws -> FlowStore {
        let store = try FlowStore(capacity: capacity)
        for number in flows { store.ingest(flow(number)) }
        return store
    }
}

extension FlowStoreEvent {
    /// The flow's number (source port), or -count for a lost-event record.
    var number: Int {
        switch self {
        case .flow(let flow): Int(flow.l4?.sourcePort ?? 0)
        case .lost(let lost, _): -Int(lost.count)
        }
    }
}

/// Everything a non-following query returns.
func drain(_ store: FlowStore, _ query: FlowQuery) async -> [FlowStoreEvent] {
    var cursor = store.cursor(for: query)
    var events: [FlowStoreEvent] = []
    while let batch = await cursor.next() { events += batch }
    return events
}
