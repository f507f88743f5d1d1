import Foundation
import HedgerowTestSupport
import Testing

/// `kill -9` of the agent while clients use a service: socket-level translation (pinned cgroup
/// links) and NodePort translation (pinned uplink filter) go on with no agent, and the restarted
/// agent adopts both without a second attachment and without rewriting the service maps.
///
/// Counted end to end, per window (before the kill, agent dead, after the restart): a long-lived
/// connection made through the VIP exchanging a line every 50 ms, a new connection through the
/// VIP every 50 ms (an echoed line, not just a connect, counts as success), and a new connection
/// from outside the node to the NodePort every 100 ms.
@Suite(.serialized) struct RestartServicesLabTests {
    static let vip = "10.96.0.30"
    static let nodePort = 30081
    static let nodeAddress = "192.168.200.1"
    static let backends = ["x/b", "y/a"]

    static let service = """
        apiVersion: v1
        kind: Service
        metadata: {namespace: x, name: echo}
        spec:
          type: NodePort
          clusterIP: \(vip)
          selector: {app: echo}
          ports: [{name: echo, port: 80, targetPort: 8080, nodePort: \(nodePort), protocol: TCP}]
        """

    static func slice(_ addresses: [String]) -> String {
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {namespace: x, name: echo-1, labels: {kubernetes.io/service-name: echo}}
        addressType: IPv4
        ports: [{name: echo, port: 8080, protocol: TCP}]
        endpoints:
        \(addresses.map { "  - {addresses: [\($0)], conditions: {ready: true}}" }.joined(separator: "\n"))
        """
    }

    /// Echoes every line on 8080.
    static let server = """
        import socket, threading
        def serve(conn):
            with conn:
                for line in conn.makefile("rb"):
                    conn.sendall(line)
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 8080)); s.listen(512)
        print("ready", flush=True)
        while True:
            conn, _ = s.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """

    /// argv: host port seconds interval long(0|1). One JSON line: the wall-clock time and outcome
    /// of every new connection, the long-lived connection's echo times and when it broke.
    static let client = """
        import json, socket, sys, threading, time
        host, port, duration, interval, long = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1"
        result = {"attempts": [], "echoes": [], "broken": None}
        end = time.time() + duration
        def long_lived():
            try:
                s = socket.create_connection((host, port), timeout=2)
                f = s.makefile("rb")
                while time.time() < end:
                    s.sendall(b"long\\n")
                    if f.readline() != b"long\\n": raise OSError("bad echo")
                    result["echoes"].append(time.time())
                    time.sleep(0.05)
            except OSError as e:
                result["broken"] = "%.3f: %s" % (time.time(), e)
        def churn():
            while time.time() < end:
                started, ok = time.time(), False
                try:
                    s = socket.create_connection((host, port), timeout=0.5); s.settimeout(0.5)
                    s.sendall(b"new\\n"); ok = s.makefile("rb").readline() == b"new\\n"; s.close()
                except OSError:
                    pass
                result["attempts"].append([started, 1 if ok else 0])
                time.sleep(interval)
        threads = ([threading.Thread(target=long_lived)] if long else []) + [threading.Thread(target=churn)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(json.dumps(result), flush=True)
        """

    struct Timeline: Decodable {
        /// [wall-clock seconds, 1 when the line came back else 0] per new connection.
        var attempts: [[Double]]
        var echoes: [Double]
        /// Why the long-lived connection broke, if it did.
        var broken: String?
    }

    /// Attempts and successes within [from, to).
    struct Window: CustomStringConvertible {
        var attempted = 0
        var succeeded = 0
        var broken: Int { attempted - succeeded }
        init(_ timeline: Timeline, from: Double, to: Double) {
            for attempt in timeline.attempts where attempt[0] >= from && attempt[0] < to {
                attempted += 1
                succeeded += attempt[1] == 1 ? 1 : 0
            }
        }
        var description: String { "\(succeeded)/\(attempted)" }
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func servicesKeepTranslatingWhileTheAgentIsDeadAndTheNextOneAdoptsThem() throws {
        let lab = try LabHarness(prefix: "e2v")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        let ips = Dictionary(uniqueKeysWithValues: endpoints.map { ("\($0.namespace)/\($0.podName)", $0.ips.first ?? "") })

        let servers = try ServiceLabTests.startServers(in: lab.name, pods: Self.backends, script: Self.server)
        defer { ServiceLabTests.stop(servers) }
        let outsider = LabOutsider(lab: lab)

        let manifests = "\(lab.stateDirectory)/manifests"
        try Self.service.write(toFile: "\(manifests)/svc-echo.yaml", atomically: true, encoding: .utf8)
        try Self.slice(Self.backends.map { ips[$0]! }).write(toFile: "\(manifests)/svc-echo-slice.yaml", atomically: true, encoding: .utf8)
        try LabHarness.eventually(timeout: .seconds(20), "the ClusterIP and the NodePort to answer") { () -> Bool? in
            let inside = try lab.execStatus("x/a", ["python3", "-c", Self.probe, Self.vip, "80"])
            let outside = try Shell.capture(outsider.command(["python3", "-c", Self.probe, Self.nodeAddress, String(Self.nodePort)])).status
            return inside == 0 && outside == 0 ? true : nil
        }

        let servicesBefore = try lab.hagent(["services", "-o", "json"])
        let hooksBefore = try CgroupHooks.read(try lab.nodeCgroup())
        let mapsBefore = try Self.serviceMapDump(lab)
        let uplinkFiltersBefore = try lab.filters(on: "eth0")

        // The clients run for 9 s: ~2 s with the agent, ~2.5 s without, then the restart.
        let inside = try Self.spawnClient(["hlab", "exec", "--lab", lab.name, "x/a", "--"], host: Self.vip, port: 80, long: true, interval: 0.05)
        let outside = try Self.spawnClient(outsider.command([]), host: Self.nodeAddress, port: Self.nodePort, long: false, interval: 0.1)
        defer { inside.stop(); outside.stop() }  // when the test fails before they finish
        Thread.sleep(forTimeInterval: 2)
        let killedAt = Date().timeIntervalSince1970
        try lab.killAgent()
        Thread.sleep(forTimeInterval: 2.5)
        let restartedAt = Date().timeIntervalSince1970
        try lab.startAgent()
        try LabHarness.eventually("the restarted agent") { try lab.status().ready ? true : nil }
        let insideTimeline = try inside.finish()
        let outsideTimeline = try outside.finish()

        let windows = [("with agent", 0, killedAt), ("agent dead", killedAt, restartedAt), ("after restart", restartedAt, .infinity)]
        let vipWindows = windows.map { (name: $0.0, counts: Window(insideTimeline, from: $0.1, to: $0.2)) }
        let nodePortWindows = windows.map { (name: $0.0, counts: Window(outsideTimeline, from: $0.1, to: $0.2)) }
        let echoesWhileDead = insideTimeline.echoes.filter { $0 >= killedAt && $0 < restartedAt }.count
        func describe(_ windows: [(name: String, counts: Window)]) -> String {
            windows.map { "\($0.name) \($0.counts)" }.joined(separator: ", ")
        }
        print("restart with services: VIP new connections (succeeded/attempted) \(describe(vipWindows)); "
              + "long-lived: \(insideTimeline.echoes.count) echoes (\(echoesWhileDead) while dead), broken: \(insideTimeline.broken ?? "no"); "
              + "NodePort from outside \(describe(nodePortWindows))")

        #expect(insideTimeline.broken == nil, "the long-lived connection through the VIP broke")
        #expect(echoesWhileDead > 20)  // ~2.5 s at one exchange per 50 ms, give or take scheduling
        for (name, counts) in vipWindows + nodePortWindows {
            #expect(counts.broken == 0, "\(name): \(counts.broken) of \(counts.attempted) new connections failed")
        }
        #expect(vipWindows[1].counts.attempted > 15 && nodePortWindows[1].counts.attempted > 8, "too few attempts while the agent was dead")
        #expect(vipWindows[2].counts.attempted > 5 && nodePortWindows[2].counts.attempted > 2)

        // Adopted, not rebuilt: the same programs on each cgroup hook (one each), the same uplink
        // filters, the same service ids and maps, and the restarted agent wrote nothing to them.
        let hooksAfter = try CgroupHooks.read(try lab.nodeCgroup())
        #expect(hooksBefore.programsPerHook.values.allSatisfy { $0.count == 1 }, "\(hooksBefore)")
        #expect(Set(hooksBefore.programsPerHook.keys) == CgroupHooks.socketLBHooks, "\(hooksBefore)")
        #expect(hooksAfter == hooksBefore)
        #expect(uplinkFiltersBefore.ingress == 1, "\(uplinkFiltersBefore)")
        #expect(try lab.filters(on: "eth0") == uplinkFiltersBefore, "the uplink filters were duplicated or lost")
        let servicesAfter = try lab.hagent(["services", "-o", "json"])
        #expect(try Self.parsed(servicesAfter) == Self.parsed(servicesBefore), "before: \(servicesBefore)\nafter: \(servicesAfter)")
        #expect(try Self.serviceMapDump(lab) == mapsBefore)
        let log = try String(contentsOfFile: "\(lab.stateDirectory)/logs/node1-agent.log", encoding: .utf8)
        #expect(log.contains("socket-level service translation adopted"), "\(log.suffix(2000))")
        #expect(log.contains("NodePort translation adopted"), "\(log.suffix(2000))")
        #expect(log.contains(" 0 map writes"), "\(log.suffix(2000))")
    }

    /// Exits 0 when a connection to argv[1]:argv[2] echoes a line.
    static let probe = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1); s.settimeout(1)
        s.sendall(b"probe\\n"); sys.exit(0 if s.makefile("rb").readline() == b"probe\\n" else 1)
        """

    struct RunningClient {
        let process: Process
        let output: Pipe

        func finish() throws -> Timeline {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return try JSONDecoder().decode(Timeline.self, from: data)
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    static func spawnClient(_ prefix: [String], host: String, port: Int, long: Bool, interval: Double) throws -> RunningClient {
        let process = Process()
        var command = prefix + ["python3", "-u", "-c", client, host, String(port), "9", String(interval), long ? "1" : "0"]
        if command[0] == "hlab" { command[0] = TestPaths.binary("hlab") }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return RunningClient(process: process, output: output)
    }

    /// JSON compared as values (a protobuf map's keys come in no fixed order).
    static func parsed(_ json: String) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary ?? [:]
    }

    /// The service maps' contents as bpftool prints them (keys and values, in map order).
    static func serviceMapDump(_ lab: LabHarness) throws -> [String] {
        try ["hedgerow_services", "hedgerow_backends", "hedgerow_rev_nat"].map {
            try Shell.run("bpftool", "-j", "map", "dump", "pinned", "\(lab.pinDirectory())/\($0)")
        }
    }
}

/// The cgroup hooks of a node's cgroup, as `bpftool cgroup show` lists them.
struct CgroupHooks: Equatable, CustomStringConvertible {
    static let socketLBHooks: Set<String> = [
        "cgroup_inet4_connect", "cgroup_inet6_connect", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg",
        "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_inet4_getpeername", "cgroup_inet6_getpeername",
    ]
    /// Attach type -> program ids attached directly to the cgroup.
    var programsPerHook: [String: [Int]]

    static func read(_ cgroup: String) throws -> CgroupHooks {
        let json = try Shell.run("bpftool", "-j", "cgroup", "show", cgroup)
        let entries = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        var hooks: [String: [Int]] = [:]
        for entry in entries {
            guard let type = entry["attach_type"] as? String, let id = entry["id"] as? Int else { continue }
            hooks[type, default: []].append(id)
        }
        return CgroupHooks(programsPerHook: hooks)
    }

    var description: String {
        programsPerHook.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

/// Commands run by `hlab outside`: a client on the nodes' network (the lab's underlay), for
/// NodePort connections from outside the node; each command gets a namespace of its own.
struct LabOutsider {
    let lab: LabHarness

    func command(_ arguments: [String]) -> [String] { [TestPaths.binary("hlab"), "outside", "--lab", lab.name, "--"] + arguments }
}

extension LabHarness {
    /// The node's cgroup (the agent's `--cgroup`), from the lab's state file.
    func nodeCgroup(_ node: String = "node1") throws -> String {
        let state = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(stateDirectory)/state.json"))) as? [String: Any]
        let nodes = state?["nodes"] as? [[String: Any]] ?? []
        guard let cgroup = nodes.first(where: { $0["name"] as? String == node })?["cgroup"] as? String else {
            throw TestEnvironmentError("no cgroup for node \(node) in \(stateDirectory)/state.json")
        }
        return cgroup
    }
}
