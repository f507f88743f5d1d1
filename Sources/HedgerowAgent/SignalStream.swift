@preconcurrency import Dispatch
import Foundation

/// SIGTERM / SIGINT as an async sequence, so shutdown is an ordinary event in the run loop.
enum ShutdownSignals {
    static func stream() -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let sources = [SIGTERM, SIGINT].map { signo in
                signal(signo, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
                source.setEventHandler { continuation.yield(signo) }
                source.resume()
                return source
            }
            let owned = SignalSources(sources)
            continuation.onTermination = { _ in owned.cancel() }
        }
    }
}

/// Keeps the dispatch sources alive for as long as the stream, and cancels them with it.
private final class SignalSources: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
    func cancel() { sources.forEach { $0.cancel() } }
}
