import HedgerowCore
import HedgerowFlowLog

/// Flows kept beyond the ring (on disk): read in time order, blocking. The agent's is the flow
/// log directory; tests use arrays.
public protocol FlowHistorySource: Sendable {
    /// Calls `body` with each stored flow in [since, until) that passes `filter`, in time order
    /// (equal times in a stable order), until `body` returns false.
    func read(since: FlowTimestamp?, until: FlowTimestamp?, where filter: @escaping (Flow) -> Bool, _ body: (Flow) -> Bool) throws
}

/// The flow log directory the agent's FlowHistoryWriter appends to.
public struct FlowLogHistory: FlowHistorySource {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    private struct Stop: Error {}

    public func read(since: FlowTimestamp?, until: FlowTimestamp?, where filter: @escaping (Flow) -> Bool, _ body: (Flow) -> Bool) throws {
        do {
            try FlowLogReader(directory: directory).read(since: since, until: until, where: filter) { flow in
                if !body(flow) { throw Stop() }
            }
        } catch is Stop {}
    }
}
