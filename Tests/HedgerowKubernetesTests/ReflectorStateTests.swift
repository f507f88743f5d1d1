import HedgerowCore
import Testing

@testable import HedgerowKubernetes

/// The list/watch state machine alone: inputs built from API-shaped JSON, no HTTP.
@Suite struct ReflectorStateTests {
    typealias R = APIResponses

    func page(_ text: String) throws -> ReflectorInput {
        .listPage(try WireDecoding.listPage(from: Array(text.utf8), listKind: "test"))
    }

    func event(_ line: String) throws -> ReflectorInput {
        .watchEvent(try WireDecoding.watchEvent(from: Array(line.utf8)))
    }

    func podNames(_ state: ReflectorState) -> [String] {
        state.objects.keys.map { "\($0.namespace ?? "")/\($0.name)" }.sorted()
    }

    @Test func paginatedListThenWatchFromTheListsVersion() throws {
        var state = ReflectorState(resource: .pods)
        #expect(state.start() == .list(continueToken: nil, after: .none))
        let first = state.handle(
            try page(R.list("Pod", apiVersion: "v1", rv: "100", items: [R.pod("x", "a", rv: "90", ip: "10.0.0.1")], continueToken: "tok1")))
        #expect(first.action == .list(continueToken: "tok1", after: .none))
        #expect(!state.hasSynced && state.objects.isEmpty, "nothing is published before the last page")
        let last = state.handle(
            try page(R.list("Pod", apiVersion: "v1", rv: "100", items: [R.pod("x", "b", rv: "95", ip: "10.0.0.2")])))
        #expect(last.action == .watch(resourceVersion: "100", after: .none))
        #expect(last.changed && state.hasSynced)
        #expect(podNames(state) == ["x/a", "x/b"])
    }

    @Test func watchEventsAddModifyDeleteAndBookmarksAdvanceTheVersion() throws {
        var state = ReflectorState(resource: .pods)
        _ = state.handle(try page(R.list("Pod", apiVersion: "v1", rv: "100", items: [R.pod("x", "a", rv: "90", ip: "10.0.0.1")])))

        var step = state.handle(try event(R.event("ADDED", R.pod("x", "b", rv: "101", ip: "10.0.0.2"))))
        #expect(step.action == .readStream && step.changed)
        step = state.handle(try event(R.event("MODIFIED", R.pod("x", "b", rv: "102", ip: "10.0.0.2", labels: ["app": "web"]))))
        #expect(step.changed)
        guard case .pod(let pod)? = state.objects[ObjectReference(kind: "Pod", namespace: "x", name: "b")] else {
            Issue.record("pod x/b missing")
            return
        }
        #expect(pod.labels["app"] == "web")
        step = state.handle(try event(R.event("DELETED", R.pod("x", "a", rv: "103", ip: "10.0.0.1"))))
        #expect(step.changed && podNames(state) == ["x/b"])
        #expect(state.resourceVersion == "103")

        step = state.handle(try event(R.bookmark(kind: "Pod", apiVersion: "v1", rv: "250")))
        #expect(step.action == .readStream && !step.changed)
        #expect(state.resourceVersion == "250")
        // A disconnect now resumes from the bookmark's version.
        let resumed = state.handle(.watchEnded(.cut("connection reset")))
        #expect(resumed.action == .watch(resourceVersion: "250", after: .backoff(attempt: 1)))
    }

    @Test func consecutiveDisconnectsBackOffFurtherAndAnEventResetsTheCount() throws {
        var state = ReflectorState(resource: .pods)
        _ = state.handle(try page(R.list("Pod", apiVersion: "v1", rv: "7", items: [])))
        #expect(state.handle(.watchFailed(.transport("refused"))).action == .watch(resourceVersion: "7", after: .backoff(attempt: 1)))
        #expect(state.handle(.watchEnded(.cut("eof"))).action == .watch(resourceVersion: "7", after: .backoff(attempt: 2)))
        #expect(state.handle(.watchFailed(.status(500, nil))).action == .watch(resourceVersion: "7", after: .backoff(attempt: 3)))
        _ = state.handle(try event(R.bookmark(kind: "Pod", apiVersion: "v1", rv: "8")))
        #expect(state.handle(.watchEnded(.cut("eof"))).action == .watch(resourceVersion: "8", after: .backoff(attempt: 1)))
        #expect(state.handle(.watchEnded(.closed)).action == .watch(resourceVersion: "8", after: .none))
    }

    @Test func goneRelistsAndTheResultEqualsAFreshStart() throws {
        var state = ReflectorState(resource: .pods)
        _ = state.handle(try page(R.list("Pod", apiVersion: "v1", rv: "100", items: [
            R.pod("x", "a", rv: "90", ip: "10.0.0.1"), R.pod("x", "b", rv: "91", ip: "10.0.0.2"),
        ])))
        _ = state.handle(try event(R.event("ADDED", R.pod("x", "c", rv: "101", ip: "10.0.0.3"))))

        let gone = state.handle(try event(R.expiredEvent(requested: "101", current: "500")))
        #expect(gone.action == .list(continueToken: nil, after: .none))
        #expect(podNames(state) == ["x/a", "x/b", "x/c"], "the cache stays in force while relisting")

        // Meanwhile b was deleted and d added; the relist must drop b without a DELETED event.
        let current = R.list("Pod", apiVersion: "v1", rv: "500", items: [
            R.pod("x", "a", rv: "90", ip: "10.0.0.1"), R.pod("x", "c", rv: "101", ip: "10.0.0.3"),
            R.pod("x", "d", rv: "499", ip: "10.0.0.4"),
        ])
        let relisted = state.handle(try page(current))
        #expect(relisted.action == .watch(resourceVersion: "500", after: .none))
        var fresh = ReflectorState(resource: .pods)
        _ = fresh.handle(try page(current))
        #expect(state.objects == fresh.objects)
        #expect(state.resourceVersion == fresh.resourceVersion)
        #expect(state.relistCount == 1)

        // An HTTP 410 on opening the watch relists too.
        #expect(state.handle(.watchFailed(.status(410, nil))).action == .list(continueToken: nil, after: .none))
        // An expired continue token restarts the pagination from the first page.
        #expect(state.handle(.listFailed(.status(410, nil))).action == .list(continueToken: nil, after: .none))
    }

    @Test func aRejectedVersionKeepsTheLastGoodOneAndIsReported() throws {
        var state = ReflectorState(resource: .networkPolicies)
        _ = state.handle(try page(R.list(
            "NetworkPolicy", apiVersion: "networking.k8s.io/v1", rv: "10", items: [R.networkPolicy("x", "allow-web", rv: "9")])))
        let reference = ObjectReference(kind: "NetworkPolicy", namespace: "x", name: "allow-web")
        let good = state.objects[reference]
        #expect(good != nil)

        let step = state.handle(try event(R.event("MODIFIED", R.networkPolicy("x", "allow-web", rv: "11", port: "70000"))))
        #expect(state.objects[reference] == good, "the last good version stays")
        #expect(state.rejectedCount == 1)
        #expect(state.resourceVersion == "11", "a rejected event is still consumed")
        let problems = try #require(state.problems[reference])
        #expect(problems.keptLastGood)
        #expect(problems.problems.contains { $0.field == "spec.ingress[0].ports[0].port" })
        #expect(step.notices.contains { if case .objectRejected = $0 { true } else { false } })
        #expect(problems.description.hasPrefix("NetworkPolicy x/allow-web rejected (keeping its last good version)"))

        // A good version clears the problem.
        _ = state.handle(try event(R.event("MODIFIED", R.networkPolicy("x", "allow-web", rv: "12", port: "9090"))))
        #expect(state.problems.isEmpty && state.objects[reference] != good)
    }

    @Test func aCustomResourceThatIsNotInstalledIsEmptySyncedAndReportedOnce() throws {
        var state = ReflectorState(resource: .ciliumNetworkPolicies)
        let first = state.handle(.listFailed(.status(404, nil)))
        #expect(first.action == .list(continueToken: nil, after: .notInstalled))
        #expect(state.hasSynced && !state.isInstalled && state.objects.isEmpty)
        #expect(first.notices.count == 1)
        let again = state.handle(.listFailed(.status(404, nil)))
        #expect(again.notices.isEmpty && !again.changed, "reported once")

        let installed = state.handle(try page(R.list(
            "CiliumNetworkPolicy", apiVersion: "cilium.io/v2", rv: "3", items: [R.ciliumNetworkPolicy("x", "db", rv: "2")],
            customResource: true)))
        #expect(state.isInstalled && state.objects.count == 1 && installed.changed)

        // A 404 for a built-in kind is an ordinary failure.
        var pods = ReflectorState(resource: .pods)
        #expect(pods.handle(.listFailed(.status(404, nil))).action == .list(continueToken: nil, after: .backoff(attempt: 1)))
        #expect(!pods.hasSynced)
    }

    @Test func otherErrorEventsAndMalformedLinesRewatchWithBackoff() throws {
        var state = ReflectorState(resource: .pods)
        _ = state.handle(try page(R.list("Pod", apiVersion: "v1", rv: "5", items: [])))
        let error = R.event("ERROR", #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"internal error","reason":"InternalError","code":500}"#)
        #expect(state.handle(try event(error)).action == .watch(resourceVersion: "5", after: .backoff(attempt: 1)))
        #expect(state.handle(.watchMalformed("not JSON")).action == .watch(resourceVersion: "5", after: .backoff(attempt: 2)))
    }
}
