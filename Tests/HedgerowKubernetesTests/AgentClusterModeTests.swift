import Foundation
import HedgerowTestSupport
import NIOSSL
import Testing

@testable import HedgerowKubernetes

/// Cluster mode end to end: the real `hagent run --kubeconfig` against a fake API server over
/// TLS (a CA of the test's own, a bearer token), fed with recorded lists and watch streams.
/// What the agent then enforces and translates is read back through its CLIs and pinned maps:
/// after the lists, after each watch event, after a 410 relist (the same as a fresh agent on the
/// relisted set), and against an agent given the same objects as a manifests directory.
@Suite(.serialized) struct AgentClusterModeTests {
    typealias R = APIResponses

    /// The cluster before and after the watch events. Pods on this node and on node-b.
    struct Cluster {
        let node = UniqueName.make("kcn")
        var namespaces: [String] { [R.namespace("x", rv: "10", labels: ["team": "x"]), R.namespace("y", rv: "11", labels: ["team": "y"])] }
        var initialPods: [String] {
            [
                R.pod("x", "web-1", rv: "20", ip: "10.244.1.11", labels: ["app": "web"], node: node),
                R.pod("x", "api-1", rv: "21", ip: "10.244.1.12", labels: ["app": "api"], node: node),
                R.pod("y", "db-1", rv: "22", ip: "10.244.2.13", labels: ["app": "db"], node: "node-b"),
                R.pod("x", "web-2", rv: "23", ip: "10.244.2.14", labels: ["app": "web"], node: "node-b"),
            ]
        }
        var addedPod: String { R.pod("x", "cache-1", rv: "120", ip: "10.244.1.15", labels: ["app": "cache"], node: node) }
        /// After the 410: web-2 and cache-1 gone, api-1 relabelled, db-2 new.
        var relistedPods: [String] {
            [
                R.pod("x", "web-1", rv: "20", ip: "10.244.1.11", labels: ["app": "web"], node: node),
                R.pod("x", "api-1", rv: "150", ip: "10.244.1.12", labels: ["app": "api", "tier": "backend"], node: node),
                R.pod("y", "db-1", rv: "22", ip: "10.244.2.13", labels: ["app": "db"], node: "node-b"),
                R.pod("y", "db-2", rv: "151", ip: "10.244.2.16", labels: ["app": "db"], node: "node-b"),
            ]
        }
        let podIPs: Set<String> = ["10.244.1.11", "10.244.1.12", "10.244.2.13", "10.244.2.14", "10.244.1.15", "10.244.2.16"]
        var services: [String] { [R.service("x", "api", rv: "30", clusterIP: "10.96.0.40")] }
        var initialSlice: String { R.endpointSlice("x", "api-7xk2p", service: "api", rv: "31", ip: "10.244.1.12") }
        var modifiedSlice: String { R.endpointSlice("x", "api-7xk2p", service: "api", rv: "130", ip: "10.244.2.20") }
        var networkPolicy: String { R.networkPolicy("x", "api-from-web", rv: "40") }
        var ciliumPolicy: String { R.ciliumNetworkPolicy("y", "db-from-api", rv: "41") }

        /// Every list of the final state, and the final objects (for a manifests directory).
        var finalObjects: [String] { namespaces + relistedPods + services + [modifiedSlice, ciliumPolicy] }
    }

    /// Gates that release the watch events one at a time.
    struct Events {
        let policiesListed = Gate()
        let podAdded = Gate()
        let sliceModified = Gate()
        let policyDeleted = Gate()
        let podsExpired = Gate()
    }

    static func script(for cluster: Cluster, events: Events) -> APIScript {
        let script = APIScript()
        script.onList(.namespaces, .json(R.list("Namespace", apiVersion: "v1", rv: "100", items: cluster.namespaces)))
        script.onList(
            .pods, .json(R.list("Pod", apiVersion: "v1", rv: "100", items: cluster.initialPods)),
            .json(R.list("Pod", apiVersion: "v1", rv: "200", items: cluster.relistedPods)))
        script.onWatch(
            .pods,
            .stream([], ending: .more(after: events.podAdded, [R.event("ADDED", cluster.addedPod)],
                                      then: .more(after: events.podsExpired, [R.expiredEvent(requested: "120", current: "200")], then: .hold))),
            .stream([], ending: .hold))
        script.onList(.services, .json(R.list("Service", apiVersion: "v1", rv: "100", items: cluster.services)))
        script.onList(
            .endpointSlices, .json(R.list("EndpointSlice", apiVersion: "discovery.k8s.io/v1", rv: "100", items: [cluster.initialSlice])))
        script.onWatch(
            .endpointSlices, .stream([], ending: .more(after: events.sliceModified, [R.event("MODIFIED", cluster.modifiedSlice)], then: .hold)))
        // Readiness: the policies' list is answered only when the test says so.
        script.onList(
            .networkPolicies,
            .after(
                events.policiesListed,
                .json(R.list("NetworkPolicy", apiVersion: "networking.k8s.io/v1", rv: "100", items: [cluster.networkPolicy]))))
        script.onWatch(
            .networkPolicies, .stream([], ending: .more(after: events.policyDeleted, [R.event("DELETED", cluster.networkPolicy)], then: .hold)))
        script.onList(
            .ciliumNetworkPolicies,
            .json(R.list("CiliumNetworkPolicy", apiVersion: "cilium.io/v2", rv: "100", items: [cluster.ciliumPolicy], customResource: true)))
        // The clusterwide CRD is not installed.
        script.onList(.ciliumClusterwideNetworkPolicies, .json(status: 404, R.notFound))
        return script
    }

    /// A fresh cluster whose lists are the final state and whose watches stay quiet.
    static func finalScript(for cluster: Cluster) -> APIScript {
        let script = APIScript()
        script.onList(.namespaces, .json(R.list("Namespace", apiVersion: "v1", rv: "300", items: cluster.namespaces)))
        script.onList(.pods, .json(R.list("Pod", apiVersion: "v1", rv: "300", items: cluster.relistedPods)))
        script.onList(.services, .json(R.list("Service", apiVersion: "v1", rv: "300", items: cluster.services)))
        script.onList(
            .endpointSlices, .json(R.list("EndpointSlice", apiVersion: "discovery.k8s.io/v1", rv: "300", items: [cluster.modifiedSlice])))
        script.onList(.networkPolicies, .json(R.list("NetworkPolicy", apiVersion: "networking.k8s.io/v1", rv: "300", items: [])))
        script.onList(
            .ciliumNetworkPolicies,
            .json(R.list("CiliumNetworkPolicy", apiVersion: "cilium.io/v2", rv: "300", items: [cluster.ciliumPolicy], customResource: true)))
        script.onList(.ciliumClusterwideNetworkPolicies, .json(status: 404, R.notFound))
        return script
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func theAgentFollowsTheAPIServerAndCannotTellItFromManifests() async throws {
        try Privileged.require()
        let certificates = try TLSAuthenticationTests.Certificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let cluster = Cluster()
        let events = Events()
        let server = try await Self.server(certificates, script: Self.script(for: cluster, events: events))
        let kubeconfig = try Self.writeKubeconfig(certificates, port: server.port)

        let agent = try AgentUnderTest(source: .kubeconfig(kubeconfig), node: cluster.node)
        var agentStopped = false
        defer { if !agentStopped { agent.stop() } }

        // Not ready before every list answered: with the policies' list held, the agent has
        // listed everything else and still serves no API (it must not enforce pods without
        // their policies).
        _ = try await blocking {
            try agent.eventually("every other list requested") { () -> Bool? in
                let listed = Set(server.requests.filter { !$0.isWatch }.map(\.path))
                return listed.isSuperset(of: KubernetesResource.all.map(\.path)) ? true : nil
            }
        }
        try await Task.sleep(for: .milliseconds(500))  // a wrong agent would now be serving
        #expect(try await blocking { agent.status() == nil }, "the agent answered before the policies were listed")
        events.policiesListed.open()
        try await blocking { try agent.waitUntilReady() }
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer node-token" })

        // The lists: identities for every pod (one per label set and namespace), the service
        // with its slice's backend, both policies (the clusterwide CRD is absent).
        let listed = try await blocking { try agent.snapshot(podIPs: cluster.podIPs) }
        let ids = listed.identities
        #expect(Set(ids.keys) == ["10.244.1.11", "10.244.1.12", "10.244.2.13", "10.244.2.14"], "\(listed)")
        #expect(ids["10.244.1.11"] == ids["10.244.2.14"], "web-1 and web-2 share their labels")
        #expect(Set(ids.values).count == 3 && ids.values.allSatisfy { $0 >= 256 }, "\(listed)")
        // `hagent identities` says the same, with labels and holders, after the reserved ones.
        let identitiesJSON = try await blocking { try agent.hagent(["identities", "-o", "json"]) }
        let identities = (try JSONSerialization.jsonObject(with: Data(identitiesJSON.utf8)) as? [String: Any])?["identities"] as? [[String: Any]] ?? []
        let web = identities.first { ($0["pods"] as? [String]) == ["x/web-1", "x/web-2"] }
        #expect((web?["id"] as? Int).map(UInt32.init) == ids["10.244.1.11"], "\(identitiesJSON)")
        #expect((web?["labels"] as? [String])?.contains("k8s:app=web") == true, "\(identitiesJSON)")
        #expect(identities.first?["labels"] as? [String] == ["reserved:host"], "\(identitiesJSON)")
        #expect(listed.services.count == 1)
        #expect(listed.services.first?.contains("|x|api|10.96.0.40:80/TCP|ClusterIP|") == true, "\(listed.services)")
        #expect(listed.services.first?.hasSuffix("|10.244.1.12:8080 active node-a x/api-1") == true, "\(listed.services)")
        #expect(listed.policies == ["CiliumNetworkPolicy y/db-from-api", "NetworkPolicy x/api-from-web"])
        // Named by their source; JSON output stays valid although the agent keeps no text of them.
        let table = try await blocking { try agent.hpolicy(["get"]) }
        #expect(table.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix("kubernetes  enforce") }, "\(table)")
        let json = try await blocking { try agent.hpolicy(["get", "-o", "json"]) }
        let objects = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(objects?.compactMap { $0["kind"] as? String }.sorted() == ["CiliumNetworkPolicy", "NetworkPolicy"], "\(json)")
        let counts = try await blocking { agent.status().map { "\($0["pods"] ?? "-") pods, \($0["namespaces"] ?? "-") namespaces" } }
        #expect(counts == "4 pods, 2 namespaces")

        // ADDED pod: a new identity.
        events.podAdded.open()
        let added = try await blocking {
            try agent.eventually("cache-1's identity") { () -> [String: UInt32]? in
                let ids = try agent.ipcacheIdentities()
                return ids["10.244.1.15"] != nil ? ids : nil
            }
        }
        #expect(!Set(ids.values).contains(added["10.244.1.15"]!), "cache-1 has labels of its own")

        // MODIFIED EndpointSlice: the backend moves.
        events.sliceModified.open()
        _ = try await blocking {
            try agent.eventually("the new backend") { () -> Bool? in
                let services = try AgentSnapshot.services(fromJSON: agent.hagent(["services", "-o", "json"]))
                return services.count == 1 && services[0].hasSuffix("|10.244.2.20:8080 active node-a x/api-1") ? true : nil
            }
        }

        // DELETED NetworkPolicy: gone.
        events.policyDeleted.open()
        _ = try await blocking {
            try agent.eventually("the policy deleted") { () -> Bool? in
                AgentSnapshot.policies(fromTable: try agent.hpolicy(["get"])) == ["CiliumNetworkPolicy y/db-from-api"] ? true : nil
            }
        }

        // ERROR 410 on the pods' watch: a relist with another set of pods.
        events.podsExpired.open()
        let relisted = try await blocking {
            try agent.eventually("the relisted pods") { () -> AgentSnapshot? in
                let snapshot = try agent.snapshot(podIPs: cluster.podIPs)
                return Set(snapshot.identities.keys) == ["10.244.1.11", "10.244.1.12", "10.244.2.13", "10.244.2.16"] ? snapshot : nil
            }
        }
        #expect(server.requests(to: KubernetesResource.pods.path, watch: false).count == 2)
        #expect(relisted.identities["10.244.1.11"] == ids["10.244.1.11"], "web-1 keeps its identity")
        #expect(relisted.identities["10.244.2.13"] == relisted.identities["10.244.2.16"], "db-1 and db-2 share their labels")
        #expect(relisted.identities["10.244.1.12"] != ids["10.244.1.12"], "api-1 was relabelled")
        try await blocking { agent.stop() }
        agentStopped = true
        await server.shutdown()

        // A fresh agent on the final lists sees what the long-running one ended with.
        let finalServer = try await Self.server(certificates, script: Self.finalScript(for: cluster))
        let fresh = try await blocking {
            try Self.snapshotOfFreshAgent(.kubeconfig(try Self.writeKubeconfig(certificates, port: finalServer.port)), cluster: cluster)
        }
        await finalServer.shutdown()
        #expect(relisted.withoutNumbering == fresh.withoutNumbering, "after the 410:\n\(relisted)\nfresh:\n\(fresh)")

        // The same objects as a manifests directory: identical identities and services, numbers
        // included (both agents started from nothing).
        let manifests = certificates.directory.appendingPathComponent("manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        for (index, object) in cluster.finalObjects.enumerated() {
            try object.write(to: manifests.appendingPathComponent("object-\(index).json"), atomically: true, encoding: .utf8)
        }
        let fromFiles = try await blocking { try Self.snapshotOfFreshAgent(.manifests(manifests.path), cluster: cluster) }
        #expect(fromFiles.identities == fresh.identities, "manifests:\n\(fromFiles)\nAPI server:\n\(fresh)")
        #expect(fromFiles.services == fresh.services, "manifests:\n\(fromFiles)\nAPI server:\n\(fresh)")
        #expect(fromFiles.policies == fresh.policies)
        print("cluster mode: \(fresh.identities.count) pod identities, \(fresh.services.count) services, "
              + "\(fresh.policies) - the same from manifests")
    }

    static func snapshotOfFreshAgent(_ source: AgentUnderTest.Source, cluster: Cluster) throws -> AgentSnapshot {
        let agent = try AgentUnderTest(source: source, node: cluster.node)
        defer { agent.stop() }
        try agent.waitUntilReady()
        return try agent.eventually("the agent's first state") { () -> AgentSnapshot? in
            let snapshot = try agent.snapshot(podIPs: cluster.podIPs)
            return snapshot.identities.count == 4 ? snapshot : nil
        }
    }

    static func server(_ certificates: TLSAuthenticationTests.Certificates, script: APIScript) async throws -> FakeAPIServer {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.path("server.crt")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.path("server.key"), format: .pem)))
        tls.shutdownTimeout = .milliseconds(100)
        return try await FakeAPIServer(tls: tls) { script.reply(to: $0) }
    }

    /// A kubeconfig as `kubectl config` writes one: the CA by file, a bearer token.
    static func writeKubeconfig(_ certificates: TLSAuthenticationTests.Certificates, port: Int) throws -> String {
        let path = certificates.path("kubeconfig-\(port)")
        try """
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: https://127.0.0.1:\(port)
                certificate-authority: \(certificates.path("ca.crt"))
            users:
            - name: node
              user:
                token: node-token
            contexts:
            - name: fake
              context:
                cluster: fake
                user: node
            current-context: fake
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
