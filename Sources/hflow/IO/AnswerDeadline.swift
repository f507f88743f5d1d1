import HedgerowAPI
import Synchronization

/// Fails a call whose server has not started answering in time (hubble's `--timeout` and
/// `--request-timeout`). The gRPC client keeps retrying a refused connection and waits for a
/// server that accepted one but never speaks, so without a deadline a stuck agent hangs hflow.
struct AnswerDeadline: Sendable {
    let timeout: Duration
    let target: ObserverTarget
    /// The option that set it, as given ("--timeout 5s"), for the error.
    let option: String

    /// Runs `body`; it calls `answered` once the server has answered (a stream's response head).
    /// A body that returns counts as answered.
    func run<Result: Sendable>(_ body: @escaping @Sendable (_ answered: @escaping @Sendable () -> Void) async throws -> Result) async throws -> Result {
        let answer = Answer()
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body { answer.received.store(true, ordering: .relaxed) } }
            group.addTask {
                try await Task.sleep(for: timeout)
                if answer.received.load(ordering: .relaxed) { return nil }
                throw NoAnswer(target: target, option: option)
            }
            while let next = try await group.next() {
                guard let result = next else { continue }
                group.cancelAll()
                return result
            }
            throw CancellationError()
        }
    }

    private final class Answer: Sendable {
        let received = Atomic(false)
    }
}

struct NoAnswer: Error, CustomStringConvertible {
    let target: ObserverTarget
    let option: String
    var description: String {
        "no answer from the Observer API at \(target) in time (\(option)); is the agent running and healthy?"
    }
}
