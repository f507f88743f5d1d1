import CHedgerowABI
import HedgerowCore
@testable import HedgerowDatapath
import Testing

@testable import HedgerowAgent

/// Enrichment names both ends from the cluster state, and shares what it made between flows:
/// the ring keeps tens of thousands of flows, and per-flow copies of labels were most of its memory.
@Suite struct FlowEnricherTests {
    static let cluster = ClusterState(
        namespaces: [Namespace(name: "x", labels: ["team": "x"])],
        pods: [
            Pod(namespace: "x", name: "a", labels: ["app": "a"], ips: [IPAddress("10.244.1.2")!]),
            Pod(namespace: "x", name: "b", labels: ["app": "b"], ips: [IPAddress("10.244.2.3")!]),
        ])
    static let localA = EndpointRecord(
        id: 7, containerID: "c-a", namespace: "x", podName: "a", interfaceName: "hrA", interfaceIndex: 11,
        containerInterface: "eth0", netns: "/run/netns/a", ips: ["10.244.1.2"])

    static func event(
        from source: String, identity sourceIdentity: UInt32, to destination: String, identity destinationIdentity: UInt32,
        ingress: Bool = false, dropped: Bool = false, cookie: UInt32 = 0
    ) throws -> FlowEvent {
        var raw = hedgerow_flow_event()
        raw.saddr = ABIAddress.bytes(IPAddress(source)!)
        raw.daddr = ABIAddress.bytes(IPAddress(destination)!)
        raw.sport = UInt16(40000).bigEndian
        raw.dport = UInt16(80).bigEndian
        raw.ip_version = UInt8(HEDGEROW_IPV4.rawValue)
        raw.protocol = 6
        raw.direction = UInt8(ingress ? HEDGEROW_DIR_INGRESS.rawValue : HEDGEROW_DIR_EGRESS.rawValue)
        raw.verdict = UInt8(dropped ? HEDGEROW_VERDICT_DROPPED.rawValue : HEDGEROW_VERDICT_FORWARDED.rawValue)
        raw.drop_reason = UInt16(dropped ? HEDGEROW_DROP_POLICY_DENIED.rawValue : 0)
        raw.src_identity = sourceIdentity
        raw.dst_identity = destinationIdentity
        raw.policy_cookie = cookie
        return try FlowEvent(record: withUnsafeBytes(of: raw) { Array($0) })
    }

    static func enricher() -> FlowEnricher {
        let enricher = FlowEnricher(nodeName: "node1")
        enricher.update(cluster: cluster, endpoints: [localA])
        return enricher
    }

    static func noOrigins(_ cookie: UInt32) -> [String]? { nil }

    @Test func podsAreNamedWithTheirLabelsAndOthersByReservedIdentity() throws {
        let enricher = Self.enricher()
        let flow = enricher.flow(
            from: try Self.event(from: "10.244.1.2", identity: 256, to: "10.244.2.3", identity: 257),
            clock: HedgerowDatapath.WallClock(), origins: Self.noOrigins)
        #expect(flow.source.id == 7 && flow.source.namespace == "x" && flow.source.podName == "a")
        #expect(flow.source.identity.rawValue == 256)
        #expect(Set(flow.source.labels.map(\.description)) == ["k8s:app=a", "k8s:io.kubernetes.pod.namespace=x"])
        // Remote pods have no endpoint id here.
        #expect(flow.destination.id == 0 && flow.destination.podName == "b" && flow.destination.identity.rawValue == 257)
        #expect(flow.nodeName == "node1")

        let fromWorld = enricher.flow(
            from: try Self.event(from: "1.2.3.4", identity: 2, to: "10.244.1.2", identity: 256, ingress: true),
            clock: HedgerowDatapath.WallClock(), origins: Self.noOrigins)
        #expect(fromWorld.source.podName.isEmpty && fromWorld.source.labels.map(\.description) == ["reserved:world"])
    }

    @Test func theIdentityOfTheEventWinsOverAnEarlierOne() throws {
        let enricher = Self.enricher()
        _ = enricher.flow(
            from: try Self.event(from: "10.244.1.2", identity: 256, to: "10.244.2.3", identity: 257),
            clock: HedgerowDatapath.WallClock(), origins: Self.noOrigins)
        // Same pod, relabelled: a new identity on the next event, which must not get the old one.
        let later = enricher.flow(
            from: try Self.event(from: "10.244.1.2", identity: 300, to: "10.244.2.3", identity: 257),
            clock: HedgerowDatapath.WallClock(), origins: Self.noOrigins)
        #expect(later.source.identity.rawValue == 300)
    }

    @Test func aPodEndWithoutIdentityGetsTheAgentsOne() throws {
        // The uplink's events name a NodePort backend after translation, without its identity.
        let enricher = FlowEnricher(nodeName: "node1") { pod in pod.name == "a" ? SecurityIdentity(rawValue: 256) : nil }
        enricher.update(cluster: Self.cluster, endpoints: [Self.localA])
        let flow = enricher.flow(
            from: try Self.event(from: "1.2.3.4", identity: 2, to: "10.244.1.2", identity: 0, ingress: true),
            clock: HedgerowDatapath.WallClock(), origins: Self.noOrigins)
        #expect(flow.destination.podName == "a" && flow.destination.identity.rawValue == 256)
        #expect(flow.source.identity == .world)
    }

    @Test func aChangedClusterRenamesTheEnds() throws {
        let enricher = Self.enricher()
        let event = try Self.event(from: "10.244.1.2", identity: 256, to: "10.244.2.3", identity: 257)
        _ = enricher.flow(from: event, clock: HedgerowDatapath.WallClock(), origins: Self.noOrigins)
        var pods = Array(Self.cluster.pods.values)
        pods[pods.firstIndex { $0.name == "a" }!].labels = ["app": "a2"]
        enricher.update(cluster: ClusterState(namespaces: Array(Self.cluster.namespaces.values), pods: pods), endpoints: [Self.localA])
        let flow = enricher.flow(from: event, clock: HedgerowDatapath.WallClock(), origins: Self.noOrigins)
        #expect(flow.source.labels.map(\.description).contains("k8s:app=a2"))
    }

    @Test func policiesAreNamedOnTheSideOfTheVerdictAndAskedForOnce() throws {
        let enricher = Self.enricher()
        var asked = 0
        let origins: (UInt32) -> [String]? = { cookie in
            asked += 1
            return cookie == 9 ? ["NetworkPolicy x/b-from-a ingress[0]", "CiliumNetworkPolicy x/extra ingress[1]"] : nil
        }
        let allowed = try Self.event(from: "10.244.2.3", identity: 257, to: "10.244.1.2", identity: 256, ingress: true, cookie: 9)
        for _ in 0..<3 {
            let flow = enricher.flow(from: allowed, clock: HedgerowDatapath.WallClock(), origins: origins)
            #expect(flow.policies.ingressAllowedBy.map(\.name) == ["b-from-a", "extra"])
            #expect(flow.policies.ingressAllowedBy.map(\.kind) == ["NetworkPolicy", "CiliumNetworkPolicy"])
            #expect(flow.policies.egressAllowedBy.isEmpty && flow.policies.ingressDeniedBy.isEmpty)
        }
        #expect(asked == 1)

        let denied = try Self.event(
            from: "10.244.1.2", identity: 256, to: "10.244.2.3", identity: 257, dropped: true, cookie: 9)
        let drop = enricher.flow(from: denied, clock: HedgerowDatapath.WallClock(), origins: origins)
        #expect(drop.policies.egressDeniedBy.map(\.name) == ["b-from-a", "extra"] && drop.policies.ingressAllowedBy.isEmpty)

        // Unknown cookies (a previous agent's entries) name nothing, and are asked again next time.
        let unknown = try Self.event(from: "10.244.2.3", identity: 257, to: "10.244.1.2", identity: 256, ingress: true, cookie: 4)
        #expect(enricher.flow(from: unknown, clock: HedgerowDatapath.WallClock(), origins: origins).policies == FlowPolicies())
        let before = asked
        _ = enricher.flow(from: unknown, clock: HedgerowDatapath.WallClock(), origins: origins)
        #expect(asked == before + 1)
    }

    @Test func sharedEndpointsStillCompareAndChangeByValue() {
        var one = FlowEndpoint.pod(id: 1, identity: SecurityIdentity(rawValue: 256), namespace: "x", name: "a", labels: ["app": "a"])
        let copy = one
        #expect(one == copy && one.hashValue == copy.hashValue)
        one.podName = "b"
        #expect(copy.podName == "a" && one.podName == "b" && one != copy)
        #expect(FlowEndpoint.pod(id: 1, identity: SecurityIdentity(rawValue: 256), namespace: "x", name: "a", labels: ["app": "a"]) == copy)
    }
}
