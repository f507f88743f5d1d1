import HedgerowCore

/// Something that wants every flow the agent ingests (metrics, exporters). Called on the
/// ingesting thread: it must be quick and must not block.
public protocol FlowSink: Sendable {
    func observe(_ flow: Flow)
    func observeLost(_ event: LostEvent)
}

/// Where decoded, enriched flows enter the agent: completes what the decoder leaves open (node
/// name, time), stores the flow and hands it to the sinks. Never blocks.
public struct FlowPipeline: Sendable {
    public let store: FlowStore
    public let nodeName: String
    private let sinks: [any FlowSink]

    public init(store: FlowStore, nodeName: String, sinks: [any FlowSink] = []) {
        self.store = store
        self.nodeName = nodeName
        self.sinks = sinks
    }

    public func ingest(_ flow: Flow) {
        var flow = flow
        if flow.nodeName.isEmpty { flow.nodeName = nodeName }
        if flow.time == .zero { flow.time = FlowClock.now() }
        // Stored first: sinks (the history writer) see the uuid the ring gave the flow.
        let stored = store.ingest(flow)
        for sink in sinks { sink.observe(stored) }
    }

    /// Events the datapath lost (failed ring buffer reservations, per CPU when known).
    public func ingestLost(source: LostEventSource = .perfEventRingBuffer, count: UInt64, cpu: Int32? = nil) {
        guard count > 0 else { return }
        let event = LostEvent(source: source, count: count, cpu: cpu)
        for sink in sinks { sink.observeLost(event) }
        store.ingestLost(source: source, count: count, cpu: cpu)
    }
}
