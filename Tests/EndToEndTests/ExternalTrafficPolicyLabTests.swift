import Foundation
import HedgerowTestSupport
import Testing

/// externalTrafficPolicy: Local through the lab's agents: a NodePort service with backends on
/// both nodes; a client outside the cluster reaching a node's NodePort only ever gets that node's
/// own backends (no hop to the other node, so the backend sees the client's address), on TCP and
/// UDP alike.
@Suite(.serialized) struct ExternalTrafficPolicyLabTests {
    static let node1Address = "192.168.200.1"
    static let node2Address = "192.168.200.2"
    static let backendsByNode = ["node1": ["x/a", "y/a"], "node2": ["x/b"]]

    static let service = """
        apiVersion: v1
        kind: Service
        metadata: {namespace: x, name: local}
        spec:
          type: NodePort
          clusterIP: 10.96.0.50
          externalTrafficPolicy: Local
          selector: {app: local}
          ports:
            - {name: http, port: 80, targetPort: 8080, nodePort: 30090, protocol: TCP}
            - {name: dns, port: 53, targetPort: 8053, nodePort: 30091, protocol: UDP}
        """

    static func slice(_ backends: [(address: String, node: String)]) -> String {
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {namespace: x, name: local-1, labels: {kubernetes.io/service-name: local}}
        addressType: IPv4
        ports: [{name: http, port: 8080, protocol: TCP}, {name: dns, port: 8053, protocol: UDP}]
        endpoints:
        \(backends.map { "  - {addresses: [\($0.address)], nodeName: \($0.node), conditions: {ready: true}}" }.joined(separator: "\n"))
        """
    }

    /// argv: address tcpPort udpPort count. One JSON line: TCP backends by name, TCP errors, and
    /// the UDP exchange's answer and source.
    static let client = """
        import collections, json, socket, sys
        address, tcp, udp, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        seen, errors = collections.Counter(), collections.Counter()
        for _ in range(count):
            try:
                s = socket.create_connection((address, tcp), timeout=2)
                seen[s.makefile().readline().strip()] += 1
                s.close()
            except OSError as e:
                errors[e.__class__.__name__] += 1
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
        answer, source = "", ""
        try:
            u.sendto(b"q", (address, udp)); data, peer = u.recvfrom(512)
            answer, source = data.decode(), "%s:%d" % peer
        except OSError as e:
            errors["udp-" + e.__class__.__name__] += 1
        print(json.dumps({"backends": seen, "errors": errors, "udpAnswer": answer, "udpSource": source}))
        """

    struct Outcome: Decodable {
        var backends: [String: Int]
        var errors: [String: Int]
        var udpAnswer: String
        var udpSource: String
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func eachNodeAnswersOnlyWithItsOwnBackends() throws {
        let harness = try LabHarness(file: "labs/two-nodes.yaml", prefix: "e2l")
        defer { harness.down() }
        _ = try LabHarness.eventually("endpoints on both nodes") {
            try harness.endpoints(node: "node1").count == 2 && harness.endpoints(node: "node2").count == 1 ? true : nil
        }
        let endpoints = try harness.endpoints(node: "node1") + harness.endpoints(node: "node2")
        let ips = Dictionary(uniqueKeysWithValues: endpoints.map { ("\($0.namespace)/\($0.podName)", $0.ips.first ?? "") })
        let servers = try ServiceLabTests.startServers(in: harness.name, pods: Array(Self.backendsByNode.values.joined()))
        defer { ServiceLabTests.stop(servers) }
        let outsider = LabOutsider(lab: harness)

        let manifests = "\(harness.stateDirectory)/manifests"
        let backends = Self.backendsByNode.flatMap { node, pods in pods.map { (address: ips[$0]!, node: node) } }
        try Self.service.write(toFile: "\(manifests)/svc-local.yaml", atomically: true, encoding: .utf8)
        try Self.slice(backends).write(toFile: "\(manifests)/svc-local-slice.yaml", atomically: true, encoding: .utf8)

        func connect(_ address: String, count: Int) throws -> Outcome {
            let output = try Shell.run(outsider.command(["python3", "-c", Self.client, address, "30090", "30091", String(count)]))
            return try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
        }
        for (node, address) in [("node1", Self.node1Address), ("node2", Self.node2Address)] {
            let local = Set(Self.backendsByNode[node]!)
            _ = try LabHarness.eventually(timeout: .seconds(20), "\(node)'s NodePort to answer") { () -> Outcome? in
                let outcome = try connect(address, count: 2)
                return outcome.errors.isEmpty ? outcome : nil
            }
            let outcome = try connect(address, count: 20)
            print("externalTrafficPolicy Local, \(node): \(outcome.backends) over 20 TCP connections, "
                  + "UDP answered by \(outcome.udpAnswer) from \(outcome.udpSource)")
            #expect(outcome.errors.isEmpty, "\(node): \(outcome.errors)")
            #expect(outcome.backends.values.reduce(0, +) == 20)
            // Only this node's backends; on node1 both of them (Maglev over 20 source ports:
            // all on one backend would have a chance of 2^-19).
            #expect(Set(outcome.backends.keys) == local, "\(node): \(outcome.backends)")
            #expect(local.contains(outcome.udpAnswer), "\(node): UDP answered by \(outcome.udpAnswer)")
            #expect(outcome.udpSource == "\(address):30091", "the UDP reply comes from the address the client named")
        }
        let listed = try harness.hagent(["services"], node: "node2")
        #expect(listed.contains("x/local") && listed.contains(":30090/TCP"), "\(listed)")
    }
}
