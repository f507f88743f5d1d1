import AsyncHTTPClient
import Logging
import NIOCore

/// Runs one resource's `ReflectorState` against the API server until cancelled: makes the
/// requests it asks for, feeds it what comes back, sleeps the backoff it asks for.
struct ReflectorRunner: Sendable {
    let resource: KubernetesResource
    let client: KubernetesAPIClient
    let options: KubernetesSource.Options
    let logger: Logger
    /// Called after every input that changed the cache or moved the resourceVersion (a whole
    /// list, or a chunk of events).
    let publish: @Sendable (ReflectorSnapshot) async -> Void

    func run() async {
        var published: String? = nil
        var state = ReflectorState(resource: resource)
        var action = state.start()
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let delay: RetryDelay
            switch action {
            case .list(_, let after), .watch(_, let after): delay = after
            case .readStream: delay = .none
            }
            if delay != .none {
                do { try await Task.sleep(for: options.backoff.delay(for: delay, using: &random)) } catch { return }
            }
            switch action {
            case .list(let token, _):
                let result = await client.list(resource, limit: options.pageSize, continueToken: token)
                let input: ReflectorInput
                switch result {
                case .success(let page): input = .listPage(page)
                case .failure(let failure): input = .listFailed(failure)
                }
                let step = state.handle(input)
                await apply(step, state, published: &published)
                action = step.action
            case .watch(let version, _):
                action = await watch(from: version, state: &state, published: &published)
            case .readStream:
                // Only meaningful while a stream is open; with none, resume the watch (or list).
                action = state.resourceVersion.map { .watch(resourceVersion: $0, after: .none) }
                    ?? .list(continueToken: nil, after: .none)
            }
        }
    }

    /// Opens a watch and feeds its events until the state asks for something else.
    private func watch(
        from resourceVersion: String, state: inout ReflectorState, published: inout String?
    ) async -> ReflectorAction {
        let started = ContinuousClock.now
        let body: HTTPClientResponse.Body
        do {
            body = try await client.watch(
                resource, resourceVersion: resourceVersion, timeoutSeconds: options.watchTimeoutSeconds)
        } catch {
            let step = state.handle(.watchFailed(error))
            await apply(step, state, published: &published)
            return step.action
        }
        var framing = WatchStreamFraming()
        var sawEvent = false
        do {
            for try await chunk in body {
                var changed = false
                var notices: [ReflectorNotice] = []
                for line in framing.append(chunk.readableBytesView) {
                    let input: ReflectorInput
                    do {
                        input = .watchEvent(try WireDecoding.watchEvent(from: line))
                        sawEvent = true
                    } catch {
                        input = .watchMalformed("\(error)")
                    }
                    let step = state.handle(input)
                    changed = changed || step.changed
                    notices += step.notices
                    if step.action != .readStream {
                        await apply(ReflectorState.Step(action: step.action, changed: changed, notices: notices), state, published: &published)
                        return step.action  // dropping the body closes the stream
                    }
                }
                await apply(ReflectorState.Step(action: .readStream, changed: changed, notices: notices), state, published: &published)
            }
        } catch {
            let cut = framing.incompleteEvent.isEmpty ? "\(error)" : "\(error) inside an event (\(framing.incompleteEvent.count) bytes dropped)"
            let step = state.handle(.watchEnded(.cut(cut)))
            await apply(step, state, published: &published)
            return step.action
        }
        let end: WatchEnd
        if !framing.incompleteEvent.isEmpty {
            end = .cut("stream ended inside an event (\(framing.incompleteEvent.count) bytes dropped)")
        } else if !sawEvent && ContinuousClock.now - started < .seconds(1) {
            end = .closedTooSoon
        } else {
            end = .closed
        }
        let step = state.handle(.watchEnded(end))
        await apply(step, state, published: &published)
        return step.action
    }

    private func apply(_ step: ReflectorState.Step, _ state: ReflectorState, published: inout String?) async {
        for notice in step.notices {
            switch notice {
            case .synced, .installed: logger.info("\(resource.kind): \(notice)")
            case .relisting, .retrying, .notInstalled: logger.notice("\(resource.kind): \(notice)")
            case .objectRejected: logger.warning("\(notice)")
            }
        }
        guard step.changed || state.resourceVersion != published else { return }
        published = state.resourceVersion
        await publish(ReflectorSnapshot(state, objectsChanged: step.changed))
    }
}
