import Foundation
import HedgerowCore
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import HedgerowKubernetes

/// Replies per request, in order, for LIST and WATCH of each resource path; the last reply
/// of a queue repeats. Paths without a script get an empty list (resourceVersion "1") and a
/// watch that stays open without events.
final class APIScript: Sendable {
    private let queues = NIOLockedValueBox<[String: [FakeAPIServer.Reply]]>([:])

    func onList(_ resource: KubernetesResource, _ replies: FakeAPIServer.Reply...) {
        onList(resource, replies)
    }

    func onList(_ resource: KubernetesResource, _ replies: [FakeAPIServer.Reply]) {
        queues.withLockedValue { $0["LIST " + resource.path, default: []] += replies }
    }

    func onWatch(_ resource: KubernetesResource, _ replies: FakeAPIServer.Reply...) {
        queues.withLockedValue { $0["WATCH " + resource.path, default: []] += replies }
    }

    func reply(to request: FakeAPIServer.Request) -> FakeAPIServer.Reply {
        let key = (request.isWatch ? "WATCH " : "LIST ") + request.path
        let scripted: FakeAPIServer.Reply? = queues.withLockedValue { queues in
            guard var queue = queues[key], let first = queue.first else { return nil }
            if queue.count > 1 { queue.removeFirst() }
            queues[key] = queue
            return first
        }
        if let scripted { return scripted }
        if request.isWatch { return .stream([], ending: .hold) }
        guard let resource = KubernetesResource.all.first(where: { $0.path == request.path }) else {
            return .json(status: 404, APIResponses.notFound)
        }
        return .json(APIResponses.list(resource.kind, apiVersion: resource.apiVersion, rv: "1", items: []))
    }
}

/// Test options: fast backoff so that retries happen within milliseconds.
let fastOptions = KubernetesSource.Options(
    backoff: BackoffPolicy(
        initial: .milliseconds(5), maximum: .milliseconds(50), jitter: 0.5, notInstalledRetry: .milliseconds(50)),
    watchTimeoutSeconds: 30, pageSize: 2, coalescing: .milliseconds(20))

/// Runs a source against a scripted server for the duration of `body`, then stops both.
func withSource<T>(
    _ script: APIScript, resources: [KubernetesResource] = KubernetesResource.all,
    options: KubernetesSource.Options = fastOptions,
    _ body: (KubernetesSource, FakeAPIServer) async throws -> T
) async throws -> T {
    let server = try await FakeAPIServer { request in script.reply(to: request) }
    let config = KubernetesClusterConfig(server: "http://127.0.0.1:\(server.port)", origin: "test")
    return try await withSource(server: server, config: config, resources: resources, options: options, body)
}

func withSource<T>(
    server: FakeAPIServer, config: KubernetesClusterConfig, resources: [KubernetesResource],
    options: KubernetesSource.Options = fastOptions, _ body: (KubernetesSource, FakeAPIServer) async throws -> T
) async throws -> T {
    let client = try KubernetesAPIClient(config: config)
    var logger = Logger(label: "test.kubernetes")
    logger.logLevel = ProcessInfo.processInfo.environment["HEDGEROW_TEST_LOG"] == nil ? .critical : .debug
    let source = KubernetesSource(client: client, resources: resources, options: options, logger: logger)
    let running = Task { await source.run() }
    defer { running.cancel() }
    do {
        let result = try await body(source, server)
        running.cancel()
        await running.value
        await client.shutdown()
        await server.shutdown()
        return result
    } catch {
        running.cancel()
        await running.value
        await client.shutdown()
        await server.shutdown()
        throw error
    }
}

struct WaitTimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Polls until `condition` holds; fails after a generous limit (a hang guard, not a speed check).
func eventually(
    _ what: String, limit: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw WaitTimedOut(description: "timed out waiting for: \(what)")
}

/// Waits until the source's state satisfies `condition`, and returns that state.
@discardableResult
func state(
    of source: KubernetesSource, _ what: String, where condition: (ClusterState) -> Bool
) async throws -> ClusterState {
    var found: ClusterState?
    try await eventually(what) {
        guard let state = await source.currentState(), condition(state) else { return false }
        found = state
        return true
    }
    return found!
}

extension ClusterState {
    var podNames: [String] { sortedPods.map { "\($0.namespace)/\($0.name)" } }
}
