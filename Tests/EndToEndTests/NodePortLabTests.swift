import Foundation
import HedgerowTestSupport
import Testing

/// NodePort from outside the node: a namespace plugged into the lab's underlay (as a machine on
/// the node's network would be) connects to the node's address and node port; the agent's uplink
/// program translates to a pod backend and the reply comes back from the address the client named.
@Suite(.serialized) struct NodePortLabTests {
    static let nodeAddress = "192.168.200.1"

    /// `command` on a machine on the node's network (`hlab outside`: a namespace plugged into the
    /// lab's underlay, routed through node1, removed when the command ends).
    static func outside(_ lab: String, _ command: [String]) -> [String] {
        [TestPaths.binary("hlab"), "outside", "--lab", lab, "--"] + command
    }

    static let service = """
        apiVersion: v1
        kind: Service
        metadata: {namespace: x, name: front}
        spec:
          type: NodePort
          clusterIP: 10.96.0.20
          selector: {app: front}
          ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP}]
        """

    static func slice(_ addresses: [String]) -> String {
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {namespace: x, name: front-1, labels: {kubernetes.io/service-name: front}}
        addressType: IPv4
        ports: [{name: http, port: 8080, protocol: TCP}]
        endpoints:
        \(addresses.map { "  - {addresses: [\($0)], conditions: {ready: true}}" }.joined(separator: "\n"))
        """
    }

    /// argv: address port count. One JSON line: the backends that answered and the peers seen.
    static let client = """
        import collections, json, socket, sys
        address, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        seen, peers, errors = collections.Counter(), set(), collections.Counter()
        for _ in range(count):
            try:
                s = socket.create_connection((address, port), timeout=2)
                peers.add("%s:%d" % s.getpeername())
                seen[s.makefile().readline().strip()] += 1
                s.close()
            except OSError as e:
                errors[e.__class__.__name__] += 1
        print(json.dumps({"backends": seen, "peers": sorted(peers), "errors": errors}))
        """

    struct Outcome: Decodable {
        var backends: [String: Int]
        var peers: [String]
        var errors: [String: Int]
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func nodePortIsReachedFromOutsideTheNode() throws {
        let backends = ["x/b", "x/c"]
        let (lab, servers) = try ServiceLabTests.startLab(backends: backends)
        defer { ServiceLabTests.stop(servers); lab.harness.down() }

        try Self.service.write(toFile: "\(lab.manifests)/svc-front.yaml", atomically: true, encoding: .utf8)
        try Self.slice(backends.map { lab.ips[$0]! }).write(
            toFile: "\(lab.manifests)/svc-front-slice.yaml", atomically: true, encoding: .utf8)

        func connect(count: Int) throws -> Outcome {
            let output = try Shell.run(Self.outside(lab.harness.name, ["python3", "-c", Self.client, Self.nodeAddress, "30080", String(count)]))
            return try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
        }
        let outcome = try LabHarness.eventually(timeout: .seconds(20), "the NodePort to answer") { () -> Outcome? in
            let outcome = try connect(count: 30)
            return outcome.errors.isEmpty ? outcome : nil
        }
        print("nodeport: \(outcome.backends) over 30 connections from outside the node")
        #expect(Set(outcome.backends.keys) == Set(backends))
        #expect(outcome.peers == ["\(Self.nodeAddress):30080"])  // replies come from the address the client named

        let listed = try lab.harness.hagent(["services"])
        #expect(listed.contains("x/front") && listed.contains("NodePort") && listed.contains(":30080/TCP"))
    }

    /// Two nodes, one backend on each: a NodePort connection to node1 reaches the backend on
    /// node2 too (source-NATed to node1, so its reply returns through node1), and a pod on node1
    /// reaches both through the ClusterIP.
    @Test(.enabled(if: Privileged.shouldRun))
    func backendsOnBothNodes() throws {
        let harness = try LabHarness(file: "labs/two-nodes.yaml", prefix: "e2m")
        defer { harness.down() }
        _ = try LabHarness.eventually("endpoints on both nodes") {
            try harness.endpoints(node: "node1").count == 2 && harness.endpoints(node: "node2").count == 1 ? true : nil
        }
        let endpoints = try harness.endpoints(node: "node1") + harness.endpoints(node: "node2")
        let ips = Dictionary(uniqueKeysWithValues: endpoints.map { ("\($0.namespace)/\($0.podName)", $0.ips.first ?? "") })
        let servers = try ServiceLabTests.startServers(in: harness.name, pods: ["x/a", "x/b"])
        defer { ServiceLabTests.stop(servers) }
        let slice = Self.slice([ips["x/a"]!, ips["x/b"]!])
            .replacingOccurrences(of: "[\(ips["x/a"]!)], conditions", with: "[\(ips["x/a"]!)], nodeName: node1, conditions")
            .replacingOccurrences(of: "[\(ips["x/b"]!)], conditions", with: "[\(ips["x/b"]!)], nodeName: node2, conditions")
        let manifests = "\(harness.stateDirectory)/manifests"
        try Self.service.write(toFile: "\(manifests)/svc-front.yaml", atomically: true, encoding: .utf8)
        try slice.write(toFile: "\(manifests)/svc-front-slice.yaml", atomically: true, encoding: .utf8)

        let outcome = try LabHarness.eventually(timeout: .seconds(20), "node1's NodePort to reach both nodes") { () -> Outcome? in
            let output = try Shell.run(Self.outside(harness.name, ["python3", "-c", Self.client, Self.nodeAddress, "30080", "30"]))
            let outcome = try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
            return outcome.errors.isEmpty && outcome.backends.count == 2 ? outcome : nil
        }
        print("nodeport across nodes: \(outcome.backends) over 30 connections to node1")
        #expect(outcome.peers == ["\(Self.nodeAddress):30080"])

        // The ClusterIP from a pod on node1: socket-level translation to either node's backend.
        let output = try harness.exec("y/a", ["python3", "-c", Self.client, "10.96.0.20", "80", "30"])
        let inside = try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
        #expect(inside.errors.isEmpty && Set(inside.backends.keys) == ["x/a", "x/b"])
        #expect(inside.peers == ["10.96.0.20:80"])
    }
}
