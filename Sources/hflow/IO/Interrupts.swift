import Dispatch
import Foundation

/// Runs `onInterrupt` on SIGINT (Ctrl-C) or SIGTERM while it exists, instead of the default of
/// dying mid-write; hflow uses it to end a follow cleanly with status 0, as hubble does.
final class InterruptWatcher {
    private var sources: [DispatchSourceSignal] = []

    init(onInterrupt: @escaping @Sendable () -> Void) {
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler(handler: onInterrupt)
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
