import Foundation
import HedgerowTestSupport
import Testing

/// ClusterIP services translated at the socket: pods in x serve on 8080/TCP and 8053/UDP and
/// say who they are; a client pod talks to the VIP. The Service and its EndpointSlice are
/// written to the lab's manifests directory, as the API server and the EndpointSlice controller
/// would publish them.
@Suite(.serialized) struct ServiceLabTests {
    static let vip = "10.96.0.10"

    /// Answers every TCP connection and UDP datagram with the pod's name.
    static let server = """
        import socket, sys, threading
        name = sys.argv[1].encode()
        def tcp():
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", 8080)); s.listen(256)
            while True:
                c, _ = s.accept(); c.sendall(name + b"\\n"); c.close()
        def udp():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 8053))
            while True:
                data, peer = s.recvfrom(512); s.sendto(name, peer)
        threading.Thread(target=tcp, daemon=True).start()
        threading.Thread(target=udp, daemon=True).start()
        print("ready", flush=True)
        threading.Event().wait()
        """

    /// argv: vip count. Prints one JSON object: backend -> connections, the peer names seen,
    /// connect errors, and the UDP replies' sources.
    static let client = """
        import collections, json, socket, sys, time
        vip, count = sys.argv[1], int(sys.argv[2])
        seen, peers, errors = collections.Counter(), set(), collections.Counter()
        started = time.time()
        for _ in range(count):
            try:
                s = socket.create_connection((vip, 80), timeout=2)
                peers.add("%s:%d" % s.getpeername())
                seen[s.makefile().readline().strip()] += 1
                s.close()
            except OSError as e:
                errors[e.__class__.__name__ + ":" + str(e.errno)] += 1
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.settimeout(2)
        sources = set()
        try:
            udp.sendto(b"q", (vip, 53)); data, source = udp.recvfrom(512)
            sources.add("%s:%d" % source); seen["udp:" + data.decode()] += 1
        except OSError as e:
            errors["udp-" + e.__class__.__name__ + ":" + str(e.errno)] += 1
        print(json.dumps({"backends": seen, "peers": sorted(peers), "errors": errors, "udpSources": sorted(sources),
                          "seconds": time.time() - started}))
        """

    struct Outcome: Decodable {
        var backends: [String: Int]
        var peers: [String]
        var errors: [String: Int]
        var udpSources: [String]
        var seconds: Double
        var tcpBackends: [String: Int] { backends.filter { !$0.key.hasPrefix("udp:") } }
    }

    static func service(affinity: Bool = false) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata: {namespace: x, name: web}
        spec:
          clusterIP: \(vip)
          selector: {app: web}
          ports:
            - {name: http, port: 80, targetPort: 8080, protocol: TCP}
            - {name: dns, port: 53, targetPort: 8053, protocol: UDP}
        \(affinity ? "  sessionAffinity: ClientIP\n" : "")
        """
    }

    static func slice(_ addresses: [String]) -> String {
        let endpoints = addresses.map { "  - {addresses: [\($0)], conditions: {ready: true}}" }.joined(separator: "\n")
        return """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {namespace: x, name: web-1, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports:
              - {name: http, port: 8080, protocol: TCP}
              - {name: dns, port: 8053, protocol: UDP}
            endpoints:\(addresses.isEmpty ? " []" : "\n" + endpoints)
            """
    }

    struct Lab {
        let harness: LabHarness
        let ips: [String: String]
        var manifests: String { "\(harness.stateDirectory)/manifests" }

        func publish(service: String, slice: String) throws {
            try service.write(toFile: "\(manifests)/svc-web.yaml", atomically: true, encoding: .utf8)
            try slice.write(toFile: "\(manifests)/svc-web-slice.yaml", atomically: true, encoding: .utf8)
        }

        func run(from client: String = "x/a", count: Int) throws -> Outcome {
            let output = try harness.exec(client, ["python3", "-c", ServiceLabTests.client, ServiceLabTests.vip, String(count)])
            return try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
        }
    }

    static func startLab(backends: [String]) throws -> (Lab, [Process]) {
        let harness = try LabHarness(file: "labs/netpol.yaml", prefix: "e2s")
        let endpoints = try LabHarness.eventually("9 endpoints") { try harness.endpoints().count == 9 ? try harness.endpoints() : nil }
        let ips = Dictionary(uniqueKeysWithValues: endpoints.map { ("\($0.namespace)/\($0.podName)", $0.ips.first ?? "") })
        return (Lab(harness: harness, ips: ips), try startServers(in: harness.name, pods: backends))
    }

    /// Runs `script` (python, given the pod's name as its argument) in each pod, returning once
    /// each printed its first line ("ready").
    static func startServers(in lab: String, pods: [String], script: String = server) throws -> [Process] {
        var servers: [Process] = []
        for pod in pods {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestPaths.binary("hlab"))
            process.arguments = ["exec", "--lab", lab, pod, "--", "python3", "-u", "-c", script, pod]
            let output = Pipe()
            process.standardOutput = output
            do {
                try process.run()
            } catch {
                stop(servers)
                throw error
            }
            _ = output.fileHandleForReading.availableData  // "ready"
            servers.append(process)
        }
        return servers
    }

    static func stop(_ servers: [Process]) {
        for server in servers {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func clusterIPSpreadsOverBackendsAndFollowsTheSlice() throws {
        let backends = ["x/b", "x/c", "y/b"]
        let (lab, servers) = try Self.startLab(backends: backends)
        defer { Self.stop(servers); lab.harness.down() }

        try lab.publish(service: Self.service(), slice: Self.slice(backends.map { lab.ips[$0]! }))
        let spread = try LabHarness.eventually("the service to translate") { () -> Outcome? in
            let outcome = try lab.run(count: 90)
            return outcome.errors.isEmpty ? outcome : nil
        }
        print("service spread over 90 connections: \(spread.tcpBackends), \(spread.seconds) s")
        #expect(Set(spread.tcpBackends.keys) == Set(backends))
        #expect(spread.tcpBackends.values.allSatisfy { $0 >= 15 })  // 30 each on average; random choice
        #expect(spread.peers == ["\(Self.vip):80"])  // getpeername() says the VIP
        #expect(spread.udpSources == ["\(Self.vip):53"])  // recvfrom() says the VIP too
        #expect(spread.backends.keys.contains { $0.hasPrefix("udp:") })

        // `hagent services` shows what the node translates, as `cilium service list` does.
        let listed = try lab.harness.hagent(["services"])
        #expect(listed.contains("x/web") && listed.contains("\(Self.vip):80/TCP") && listed.contains("\(Self.vip):53/UDP"))
        for pod in backends { #expect(listed.contains("\(lab.ips[pod]!):8080"), "\(pod) in \(listed)") }

        // Scale down: the slice loses y/b; new connections only reach the others.
        try lab.publish(service: Self.service(), slice: Self.slice(["x/b", "x/c"].map { lab.ips[$0]! }))
        let scaled = try LabHarness.eventually("the slice change") { () -> Outcome? in
            let outcome = try lab.run(count: 40)
            return outcome.tcpBackends["y/b"] == nil ? outcome : nil
        }
        #expect(Set(scaled.tcpBackends.keys) == ["x/b", "x/c"])
        #expect(scaled.errors.isEmpty)

        // No backends: connect() fails at once instead of hanging.
        try lab.publish(service: Self.service(), slice: Self.slice([]))
        let empty = try LabHarness.eventually("the empty slice") { () -> Outcome? in
            let outcome = try lab.run(count: 5)
            return outcome.tcpBackends.isEmpty ? outcome : nil
        }
        #expect(empty.errors["ConnectionRefusedError:111"] == 5)
        #expect(empty.seconds < 2.5)  // five refusals plus one UDP timeout of 2 s: nothing waited per connect

        // ClientIP affinity: one client, one backend.
        try lab.publish(service: Self.service(affinity: true), slice: Self.slice(backends.map { lab.ips[$0]! }))
        let pinned = try LabHarness.eventually("affinity") { () -> Outcome? in
            let outcome = try lab.run(count: 30)
            return outcome.errors.isEmpty ? outcome : nil
        }
        #expect(pinned.tcpBackends.count == 1 && pinned.tcpBackends.values.first == 30)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func policyIsEnforcedOnTheBackendAfterTranslation() throws {
        let backends = ["x/b", "x/c"]
        let (lab, servers) = try Self.startLab(backends: backends)
        defer { Self.stop(servers); lab.harness.down() }
        try lab.publish(service: Self.service(), slice: Self.slice(backends.map { lab.ips[$0]! }))
        try LabHarness.eventually("the service to translate") { try lab.run(from: "y/a", count: 4).errors.isEmpty ? true : nil }

        // Backends accept only their own namespace: y/a's connections to the VIP are dropped at
        // the backend (the socket already names the backend), x/a's pass.
        let policy = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {namespace: x, name: web-same-namespace}
            spec:
              podSelector: {matchLabels: {pod: b}}
              ingress: [{from: [{podSelector: {}}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {namespace: x, name: web-same-namespace-c}
            spec:
              podSelector: {matchLabels: {pod: c}}
              ingress: [{from: [{podSelector: {}}]}]
            """
        try policy.write(toFile: "\(lab.manifests)/policy-web.yaml", atomically: true, encoding: .utf8)
        let denied = try LabHarness.eventually("the policy at the backends") { () -> Outcome? in
            let outcome = try lab.run(from: "y/a", count: 3)
            return outcome.tcpBackends.isEmpty ? outcome : nil
        }
        #expect(denied.errors.values.reduce(0, +) >= 3)
        let allowed = try lab.run(from: "x/a", count: 10)
        #expect(allowed.errors.isEmpty && allowed.tcpBackends.values.reduce(0, +) == 10)

        let drops = try Shell.run([
            TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.harness.agentSocket())", "--last", "500",
            "--verdict", "DROPPED", "--from-pod", "y/a",
        ])
        #expect(drops.contains("Policy denied DROPPED"))
        #expect(drops.contains("-> x/b:8080") || drops.contains("-> x/c:8080"))
        // The drop happens at the backend, where the translation is invisible; it still names
        // the service the client asked for.
        let json = try Shell.run([
            TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.harness.agentSocket())", "--last", "500",
            "--verdict", "DROPPED", "--from-pod", "y/a", "-o", "json",
        ])
        #expect(json.contains("\"destination_service\":{\"name\":\"web\",\"namespace\":\"x\"}"), "\(json.prefix(600))")
    }
}
