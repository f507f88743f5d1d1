import Testing

@testable import HedgerowCore

/// Recorded flows in the TestCluster (x, y, z with pods a, b, c) and what a candidate policy
/// set would change for them.
@Suite struct PolicyImpactTests {
    /// A TCP flow between two pods of the test cluster at second `second`.
    static func flow(
        _ from: String, _ to: String, port: UInt16, second: Int64, reply: Bool? = false, cluster: TestCluster = TestCluster()
    ) -> Flow {
        func end(_ pod: String) -> FlowEndpoint {
            let name = key(pod)
            return .pod(identity: SecurityIdentity(rawValue: 300), namespace: name.namespace, name: name.name, labels: [:])
        }
        let (source, destination) = reply == true ? (to, from) : (from, to)
        return Flow(
            time: FlowTimestamp(seconds: second), verdict: .forwarded,
            ip: FlowIP(source: cluster.ip(source), destination: cluster.ip(destination)),
            l4: reply == true
                ? .tcp(sourcePort: port, destinationPort: 40000, flags: .ack)
                : .tcp(sourcePort: 40000, destinationPort: port, flags: .syn),
            source: end(source), destination: end(destination), isReply: reply, eventType: .trace(.toEndpoint))
    }

    /// Only pods labelled pod=a of namespace x may reach x/b.
    static let onlyXAToXB = networkPolicyYAML(
        """
          podSelector: {matchLabels: {pod: b}}
          ingress: [{from: [{podSelector: {matchLabels: {pod: a}}}]}]
        """, name: "only-a")

    @Test func reportsObservedConnectionsThatBecomeDenied() throws {
        let current = TestCluster()
        var candidate = current
        candidate.add(Self.onlyXAToXB)
        let flows = [
            Self.flow("x/a", "x/b", port: 80, second: 10),
            Self.flow("x/a", "x/b", port: 80, second: 11, reply: true),
            Self.flow("y/a", "x/b", port: 80, second: 12),
            Self.flow("y/a", "x/b", port: 80, second: 15),
            Self.flow("y/a", "x/b", port: 80, second: 14, reply: true),
            Self.flow("y/a", "x/b", port: 81, second: 13),
            Self.flow("x/c", "x/a", port: 81, second: 16),
        ]
        let impact = PolicyImpact(flows: flows, current: current.compiler(), candidate: candidate.compiler())
        #expect(impact.connections == 4)
        #expect(impact.untraceable == [])
        #expect(impact.anyBecomesDenied)
        let rows = impact.changes.map {
            "\($0.connection.source)->\($0.connection.destination):\($0.connection.port) \($0.before.rawValue)->\($0.after.rawValue) \($0.flows) \($0.lastSeen.seconds)"
        }
        // Replies are neither counted nor dated; x/a keeps its access; x/c -> x/a is unaffected.
        #expect(rows == ["y/a->x/b:80 ALLOWED->DENIED 2 15", "y/a->x/b:81 ALLOWED->DENIED 1 13"])
        #expect(impact.changes.allSatisfy { $0.decidedBy.count == 1 && $0.decidedBy[0].contains("only-a") })
    }

    @Test func reportsConnectionsThatBecomeAllowed() throws {
        var current = TestCluster()
        current.add(networkPolicyYAML("  podSelector: {}\n  policyTypes: [Ingress]", name: "deny-all"))
        var candidate = current
        candidate.add(Self.onlyXAToXB)
        let flows = [Self.flow("x/a", "x/b", port: 80, second: 1), Self.flow("x/c", "x/b", port: 80, second: 2)]
        let impact = PolicyImpact(flows: flows, current: current.compiler(), candidate: candidate.compiler())
        #expect(impact.changes.map { "\($0.connection.source) \($0.after.rawValue)" } == ["x/a ALLOWED"])
        #expect(impact.changes.first?.decidedBy.contains { $0.contains("only-a") } == true)
        #expect(!impact.anyBecomesDenied)
    }

    @Test func identicalPolicySetsChangeNothing() {
        let cluster = TestCluster()
        let flows = [Self.flow("x/a", "x/b", port: 80, second: 1)]
        let impact = PolicyImpact(flows: flows, current: cluster.compiler(), candidate: cluster.compiler())
        #expect(impact.changes == [] && impact.connections == 1 && !impact.anyBecomesDenied)
    }

    @Test func connectionsOfGonePodsAreUntraceableNotDropped() {
        let cluster = TestCluster()
        var flow = Self.flow("x/a", "x/b", port: 80, second: 1)
        flow.source = .pod(identity: SecurityIdentity(rawValue: 300), namespace: "x", name: "gone", labels: [:])
        let impact = PolicyImpact(flows: [flow], current: cluster.compiler(), candidate: cluster.compiler())
        #expect(impact.changes == [])
        #expect(impact.untraceable.count == 1 && impact.untraceable[0].contains("x/gone"))
    }

    @Test func resolvedAddressesGroupWithTheirPod() {
        let current = TestCluster()
        var candidate = current
        candidate.add(Self.onlyXAToXB)
        var byAddress = Self.flow("y/a", "x/b", port: 80, second: 20)
        byAddress.source = .reserved(.world)
        let flows = [Self.flow("y/a", "x/b", port: 80, second: 3), byAddress]
        let impact = PolicyImpact(
            flows: flows, current: current.compiler(), candidate: candidate.compiler(),
            resolve: { peer in peer == .address(current.ip("y/a")) ? .pod(key("y/a")) : peer })
        #expect(impact.changes.map { "\($0.connection.source) \($0.flows) \($0.lastSeen.seconds)" } == ["y/a 2 20"])
    }
}

@Suite struct ObservedConnectionTests {
    let a = IPAddress("10.0.1.1")!
    let outside = IPAddress("8.8.8.8")!

    func flow(source: FlowEndpoint, destination: FlowEndpoint, l4: Layer4?, reply: Bool?) -> Flow {
        Flow(
            time: .zero, verdict: .dropped, ip: FlowIP(source: a, destination: outside), l4: l4,
            source: source, destination: destination, isReply: reply, eventType: .drop(.policyDenied))
    }

    @Test func forwardFlowsNameTheirEndsByPodNodeOrAddress() {
        let pod = FlowEndpoint.pod(identity: SecurityIdentity(rawValue: 300), namespace: "x", name: "a", labels: [:])
        let world = flow(source: pod, destination: .reserved(.world), l4: .udp(sourcePort: 5, destinationPort: 53), reply: nil)
        #expect(
            ObservedConnection(world)
                == ObservedConnection(source: .pod(key("x/a")), destination: .address(outside), proto: 17, port: 53))
        let host = flow(source: pod, destination: .reserved(.host), l4: .icmpv4(type: 8, code: 0), reply: false)
        #expect(
            ObservedConnection(host)
                == ObservedConnection(source: .pod(key("x/a")), destination: .node(outside), proto: 1, port: 0))
    }

    @Test func repliesAndFlowsWithoutTransportAreNotConnections() {
        let pod = FlowEndpoint.pod(identity: SecurityIdentity(rawValue: 300), namespace: "x", name: "a", labels: [:])
        #expect(ObservedConnection(flow(source: pod, destination: pod, l4: .tcp(sourcePort: 80, destinationPort: 9, flags: .ack), reply: true)) == nil)
        #expect(ObservedConnection(flow(source: pod, destination: pod, l4: nil, reply: false)) == nil)
    }
}
