import Foundation
import HedgerowCore
import Testing

@testable import HedgerowKubernetes

/// The source against a real HTTP server on 127.0.0.1 that answers with API-shaped lists and
/// chunked watch streams.
@Suite struct KubernetesSourceTests {
    typealias R = APIResponses

    static func podList(rv: String, _ items: [String], continueToken: String? = nil) -> FakeAPIServer.Reply {
        .json(R.list("Pod", apiVersion: "v1", rv: rv, items: items, continueToken: continueToken))
    }

    @Test func pagesThenWatchSplitEventsBookmarkAndResumeAfterACutInsideAnEvent() async throws {
        let script = APIScript()
        script.onList(
            .pods,
            Self.podList(rv: "100", [R.pod("x", "a", rv: "90", ip: "10.0.0.1")], continueToken: "c1/=="),
            Self.podList(rv: "100", [R.pod("x", "b", rv: "95", ip: "10.0.0.2")]))
        let modified = R.event("MODIFIED", R.pod("x", "b", rv: "102", ip: "10.0.0.2", labels: ["app": "web"]))
        let added = R.event("ADDED", R.pod("x", "d", rv: "151", ip: "10.0.0.4"))
        let split = modified.index(modified.startIndex, offsetBy: modified.count / 2)
        let cut = Gate()
        script.onWatch(
            .pods,
            .stream(
                [
                    R.event("ADDED", R.pod("x", "c", rv: "101", ip: "10.0.0.3")) + String(modified[..<split]),
                    String(modified[split...]),
                    R.bookmark(kind: "Pod", apiVersion: "v1", rv: "150"),
                ],
                // The connection is cut inside this event.
                ending: .more(after: cut, [String(added.prefix(added.count / 2))], then: .cut)),
            .stream([R.event("DELETED", R.pod("x", "a", rv: "160", ip: "10.0.0.1"))], ending: .hold))

        try await withSource(script) { source, server in
            try await eventually("the bookmark consumed") {
                await source.status().first { $0.resource == .pods }?.resourceVersion == "150"
            }
            let beforeCut = try #require(await source.currentState())
            #expect(beforeCut.podNames == ["x/a", "x/b", "x/c"])
            cut.open()
            let final = try await state(of: source, "a deleted after the re-watch") { $0.podNames == ["x/b", "x/c"] }
            #expect(final.pod(namespace: "x", name: "b")?.labels["app"] == "web", "the event split over two chunks applied")
            #expect(final.pod(namespace: "x", name: "d") == nil, "the cut-off event is not applied")

            let lists = server.requests(to: KubernetesResource.pods.path, watch: false)
            #expect(lists.count == 2)
            #expect(lists[0].query["limit"] == "2" && lists[0].query["continue"] == nil)
            #expect(lists[0].query["resourceVersion"] == nil, "a list is a consistent read")
            #expect(lists[1].query["continue"] == "c1/==")
            let watches = server.requests(to: KubernetesResource.pods.path, watch: true)
            try #require(watches.count >= 2)
            #expect(watches[0].query["resourceVersion"] == "100")
            #expect(watches[0].query["allowWatchBookmarks"] == "true")
            #expect(watches[0].query["timeoutSeconds"] == "30")
            #expect(watches[1].query["resourceVersion"] == "150", "resumes from the bookmark, not from the list")
        }
    }

    @Test(arguments: [false, true])
    func aResyncAfterGoneLeavesTheSameStateAsAFreshStart(goneAsHTTPStatus: Bool) async throws {
        let before = [R.pod("x", "a", rv: "90", ip: "10.0.0.1"), R.pod("x", "b", rv: "91", ip: "10.0.0.2")]
        let after = [
            R.pod("x", "a", rv: "90", ip: "10.0.0.1"), R.pod("x", "c", rv: "101", ip: "10.0.0.3"),
            R.pod("x", "d", rv: "480", ip: "10.0.0.4", labels: ["tier": "db"]),
        ]
        let relisted = [Self.podList(rv: "500", Array(after.prefix(2)), continueToken: "p2"), Self.podList(rv: "500", Array(after.suffix(1)))]
        let script = APIScript()
        script.onList(.pods, [Self.podList(rv: "100", before)] + relisted)
        if goneAsHTTPStatus {
            // The watch from 100 is refused outright with HTTP 410.
            script.onWatch(.pods, .json(status: 410, R.gone(requested: "100", current: "500")), .stream([], ending: .hold))
        } else {
            script.onWatch(
                .pods,
                .stream([R.event("ADDED", R.pod("x", "c", rv: "101", ip: "10.0.0.3")), R.expiredEvent(requested: "101", current: "500")], ending: .hold),
                .stream([], ending: .hold))
        }
        script.onList(.namespaces, .json(R.list("Namespace", apiVersion: "v1", rv: "7", items: [R.namespace("x", rv: "3")])))

        let resynced = try await withSource(script) { source, server in
            let state = try await state(of: source, "the relisted pods") { $0.podNames == ["x/a", "x/c", "x/d"] }
            let status = await source.status().first { $0.resource == .pods }
            #expect(status?.relistCount == 1)
            #expect(status?.resourceVersion == "500")
            try await eventually("a watch from the relist's version") {
                server.requests(to: KubernetesResource.pods.path, watch: true).last?.query["resourceVersion"] == "500"
            }
            return state
        }

        let freshScript = APIScript()
        freshScript.onList(.pods, relisted[0], relisted[1])
        freshScript.onList(.namespaces, .json(R.list("Namespace", apiVersion: "v1", rv: "7", items: [R.namespace("x", rv: "3")])))
        let fresh = try await withSource(freshScript) { source, _ in
            await source.waitUntilReady()
            return try #require(await source.currentState())
        }
        #expect(resynced == fresh)
        #expect(resynced.diff(from: fresh).isEmpty)
    }

    @Test func readyOnlyOnceEveryListHasSynced() async throws {
        let gate = Gate()
        let script = APIScript()
        script.onList(.pods, Self.podList(rv: "10", [R.pod("x", "api-1", rv: "9", ip: "10.0.0.5", labels: ["app": "api"])]))
        script.onList(
            .services,
            .after(gate, .json(R.list("Service", apiVersion: "v1", rv: "11", items: [R.service("x", "api", rv: "10", clusterIP: "10.43.0.10")]))))
        script.onList(
            .endpointSlices,
            .json(R.list("EndpointSlice", apiVersion: "discovery.k8s.io/v1", rv: "12", items: [
                R.endpointSlice("x", "api-abcde", service: "api", rv: "11", ip: "10.0.0.5"),
            ])))

        try await withSource(script) { source, server in
            // Every other resource has listed and started watching; services are still held back.
            try await eventually("six watches open") {
                Set(server.requests.filter(\.isWatch).map(\.path)).count == KubernetesResource.all.count - 1
            }
            #expect(await !source.isReady)
            #expect(await source.currentState() == nil)
            #expect(await source.publishedCount == 0)

            gate.open()
            await source.waitUntilReady()
            var states = source.states.makeAsyncIterator()
            let first = try #require(await states.next())
            #expect(first.services.count == 1 && first.endpointSlices.count == 1 && first.pods.count == 1)
            #expect(first.namespaces["x"]?.isImplied == true)
        }
    }

    @Test func aRejectedObjectKeepsItsLastGoodVersionAndIsReportedByName() async throws {
        let script = APIScript()
        script.onList(
            .networkPolicies,
            .json(R.list("NetworkPolicy", apiVersion: "networking.k8s.io/v1", rv: "10", items: [R.networkPolicy("x", "allow-web", rv: "9")])))
        let gate = Gate()
        script.onWatch(
            .networkPolicies,
            .after(gate, .stream([
                R.event("MODIFIED", R.networkPolicy("x", "allow-web", rv: "11", port: "70000")),
                R.event("ADDED", R.networkPolicy("x", "second", rv: "12")),
            ], ending: .hold)))

        try await withSource(script) { source, _ in
            await source.waitUntilReady()
            let good = try #require(await source.currentState()?.policies.values.first)
            gate.open()
            let state = try await state(of: source, "the second policy") { $0.policies.count == 2 }
            let reference = ObjectReference(kind: "NetworkPolicy", namespace: "x", name: "allow-web")
            #expect(state.policies[reference] == good, "the last good version stays in force")
            let warnings = await source.warnings()
            #expect(warnings.count == 1)
            #expect(warnings.first?.contains("NetworkPolicy x/allow-web") == true)
            #expect(warnings.first?.contains("spec.ingress[0].ports[0].port") == true, "\(warnings)")
            let status = await source.status().first { $0.resource == .networkPolicies }
            #expect(status?.rejectedCount == 1)
        }
    }

    @Test func customResourcesThatAreNotInstalledAreEmptyAndLookedForAgain() async throws {
        let script = APIScript()
        script.onList(.ciliumClusterwideNetworkPolicies, .json(status: 404, R.notFound))
        script.onList(
            .ciliumNetworkPolicies, .json(status: 404, R.notFound), .json(status: 404, R.notFound),
            .json(R.list("CiliumNetworkPolicy", apiVersion: "cilium.io/v2", rv: "5", items: [R.ciliumNetworkPolicy("x", "db", rv: "4")], customResource: true)))

        try await withSource(script) { source, server in
            await source.waitUntilReady()
            let warnings = await source.warnings()
            #expect(warnings.contains { $0.hasPrefix("CiliumClusterwideNetworkPolicy: not served") })
            try await state(of: source, "the CiliumNetworkPolicy once its CRD appears") { $0.policies.count == 1 }
            try await eventually("CiliumClusterwideNetworkPolicies looked for again") {
                server.requests(to: KubernetesResource.ciliumClusterwideNetworkPolicies.path, watch: false).count >= 3
            }
            let statuses = await source.status()
            #expect(statuses.first { $0.resource == .ciliumClusterwideNetworkPolicies }?.isInstalled == false)
            #expect(statuses.first { $0.resource == .ciliumNetworkPolicies }?.isInstalled == true)
        }
    }

    @Test func aBearerTokenFromAFileIsSentAndReReadWhenItRotates() async throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())").path
        try "first-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let script = APIScript()
        script.onWatch(.namespaces, .stream([], ending: .finish))  // closes at once: re-watches after a backoff
        let server = try await FakeAPIServer { script.reply(to: $0) }
        let config = KubernetesClusterConfig(
            server: "http://127.0.0.1:\(server.port)", bearerToken: .file(tokenFile), origin: "test")
        try await withSource(server: server, config: config, resources: [.namespaces]) { source, server in
            await source.waitUntilReady()
            #expect(server.requests.first?.headers["authorization"] == "Bearer first-token")
            try "rotated-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try await eventually("a request with the rotated token") {
                server.requests.contains { $0.headers["authorization"] == "Bearer rotated-token" }
            }
        }
    }

    @Test func aBurstOfEventsIsCoalescedAndTheStreamEndsWhenTheSourceStops() async throws {
        let count = 200
        let script = APIScript()
        script.onWatch(
            .pods,
            .stream((0..<count).map { R.event("ADDED", R.pod("burst", "p\($0)", rv: "\(100 + $0)", ip: "10.2.\($0 / 200).\($0 % 200 + 1)")) }, ending: .hold))
        let server = try await FakeAPIServer { script.reply(to: $0) }
        let client = try KubernetesAPIClient(config: KubernetesClusterConfig(server: "http://127.0.0.1:\(server.port)", origin: "test"))
        let source = KubernetesSource(client: client, options: fastOptions)
        let running = Task { await source.run() }
        var received = 0
        var last: ClusterState?
        for await state in source.states {
            received += 1
            last = state
            if state.pods.count == count { running.cancel() }
        }
        await running.value
        await client.shutdown()
        await server.shutdown()
        #expect(last?.pods.count == count, "the stream ends after the source stops, with the complete state last")
        #expect(received < count / 2, "\(count) events became \(received) states")
        #expect(await source.publishedCount == received)
    }
}
