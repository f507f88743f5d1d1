import Foundation
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport

@testable import HedgerowDatapath

/// A node with an uplink, an outside client and backends on this node and on another one:
///
///     client (192.168.77.100) ─┐
///     node eth0 (192.168.77.1) ├─ bridge (namespace "under")
///     remote node (192.168.77.2) ─┘   backend 10.244.2.21 on its loopback ("node-b")
///     node vpod (10.244.1.1) ── pod (10.244.1.11)               backend on this node ("node-a")
///
/// Each box is a network namespace of its own; the uplink programs sit on the node's eth0, the
/// service maps are pinned under a fresh directory. The backends answer TCP and UDP on 8080
/// with their name and the client address they saw. `destroy()` removes everything.
final class UplinkFixture {
    static let nodeAddress = "192.168.77.1"
    static let remoteNodeAddress = "192.168.77.2"
    static let clientAddress = "192.168.77.100"
    static let localBackend = "10.244.1.11"
    static let remoteBackend = "10.244.2.21"
    static let backendPort: UInt16 = 8080
    static let nodeName = "node-a"

    static let server = """
        import socket, threading, sys
        name, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        def tcp():
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port)); s.listen(128)
            while True:
                c, peer = s.accept()
                c.sendall(("%s %s\\n" % (name, peer[0])).encode()); c.close()
        def udp():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((addr, port))
            while True:
                data, peer = s.recvfrom(512)
                s.sendto(("%s %s" % (name, peer[0])).encode(), peer)
        for serve in (tcp, udp): threading.Thread(target=serve, daemon=True).start()
        print("ready", flush=True)
        threading.Event().wait()
        """
    /// One JSON line per attempt: {"backend", "seen" (the client address the backend saw), "peer"
    /// (where the answer came from), "sport"} or {"errno", "sport"}. Source ports from `base` up
    /// when it is non-zero, else the kernel's choice; a new socket per attempt, so each is a flow.
    static let client = """
        import socket, sys, json
        mode, host, port, count, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        for i in range(count):
            kind = socket.SOCK_STREAM if mode == "tcp" else socket.SOCK_DGRAM
            s = socket.socket(socket.AF_INET, kind); s.settimeout(2)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", base + i if base else 0))
            sport = s.getsockname()[1]
            try:
                if mode == "tcp":
                    s.connect((host, port)); peer = s.getpeername()
                    data = s.makefile("rb").readline().decode().strip()
                else:
                    s.sendto(b"hi", (host, port)); data, peer = s.recvfrom(512); data = data.decode()
                backend, seen = data.split()
                print(json.dumps(dict(backend=backend, seen=seen, peer="%s %d" % peer, sport=sport)), flush=True)
            except OSError as e:
                print(json.dumps(dict(errno=e.errno or 0, sport=sport)), flush=True)
            s.close()
        """

    let underlay: TestNamespace
    let node: TestNamespace
    let client: TestNamespace
    let remote: TestNamespace
    let pod: TestNamespace
    let pinRoot: String
    let services: ServiceDatapath
    let uplink: UplinkDatapath
    let uplinkIndex: Int32
    private var servers: [Process] = []

    init() throws {
        underlay = try TestNamespace(prefix: "hub")
        var made = [underlay]
        pinRoot = "/sys/fs/bpf/" + UniqueName.make("hup")
        do {
            node = try TestNamespace(prefix: "hun"); made.append(node)
            client = try TestNamespace(prefix: "huc"); made.append(client)
            remote = try TestNamespace(prefix: "hur"); made.append(remote)
            pod = try TestNamespace(prefix: "hup"); made.append(pod)
            try Self.wire(underlay: underlay, node: node, client: client, remote: remote, pod: pod)
            services = try ServiceDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot, nodeName: Self.nodeName)
            uplink = try UplinkDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
            try uplink.setNodeAddresses([IPAddress(Self.nodeAddress)!])
            let uplink = uplink
            uplinkIndex = try inNetworkNamespace(node) {
                let index = Int32(if_nametoindex("eth0"))
                try uplink.attach(interfaceIndex: index)
                return index
            }
            servers.append(try Self.startServer(in: pod, name: "local", address: Self.localBackend))
            servers.append(try Self.startServer(in: remote, name: "remote", address: Self.remoteBackend))
        } catch {
            for server in servers { Self.stop(server) }
            for namespace in made { namespace.destroy() }
            try? BPFPin.removeTree(pinRoot)
            throw error
        }
    }

    func destroy() {
        for server in servers { Self.stop(server) }
        for namespace in [pod, remote, client, node, underlay] { namespace.destroy() }
        try? BPFPin.removeTree(pinRoot)
    }

    private static func wire(underlay: TestNamespace, node: TestNamespace, client: TestNamespace, remote: TestNamespace,
                             pod: TestNamespace) throws {
        try underlay.run("ip", "link", "add", "br0", "type", "bridge")
        try underlay.run("ip", "link", "set", "br0", "up")
        for (index, (namespace, address)) in [(node, nodeAddress), (client, clientAddress), (remote, remoteNodeAddress)].enumerated() {
            let port = "p\(index)"
            try namespace.run("ip", "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", underlay.name)
            try underlay.run("ip", "link", "set", port, "master", "br0", "up")
            try namespace.run("ip", "addr", "add", "\(address)/24", "dev", "eth0")
            try namespace.run("ip", "link", "set", "eth0", "up")
        }
        try node.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
        try node.run("ip", "route", "add", "10.244.2.0/24", "via", remoteNodeAddress)
        try remote.run("ip", "addr", "add", "\(remoteBackend)/32", "dev", "lo")
        try node.run("ip", "link", "add", "vpod", "type", "veth", "peer", "name", "eth0", "netns", pod.name)
        try node.run("ip", "addr", "add", "10.244.1.1/24", "dev", "vpod")
        try node.run("ip", "link", "set", "vpod", "up")
        try pod.run("ip", "addr", "add", "\(localBackend)/24", "dev", "eth0")
        try pod.run("ip", "link", "set", "eth0", "up")
        try pod.run("ip", "route", "add", "default", "via", "10.244.1.1")
    }

    private static func startServer(in namespace: TestNamespace, name: String, address: String) throws -> Process {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["ip", "netns", "exec", namespace.name, "python3", "-u", "-c", Self.server, name, address,
                            String(backendPort)]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        guard String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).contains("ready") else {
            stop(server)
            throw TestEnvironmentError("backend server \(name) did not start")
        }
        return server
    }

    private static func stop(_ server: Process) {
        guard server.isRunning else { return }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
    }

    // MARK: Services

    static let local = ServiceBackend(address: BackendAddress(ip: IPAddress(localBackend)!, port: backendPort), nodeName: nodeName)
    static let remoteOne = ServiceBackend(address: BackendAddress(ip: IPAddress(remoteBackend)!, port: backendPort), nodeName: "node-b")

    static func nodePort(_ port: UInt16, _ proto: TransportProtocol = .tcp, id: UInt16, backends: [ServiceBackend],
                         policy: TrafficPolicy = .cluster) -> ServiceFrontend {
        ServiceFrontend(key: FrontendKey(address: .anyNodeAddress(.ipv4), port: port, protocol: proto), kind: .nodePort,
                        service: NamespacedName(namespace: "default", name: "np\(id)"), id: ServiceID(rawValue: id),
                        backends: backends.sorted(), trafficPolicy: policy)
    }

    func apply(_ frontends: [ServiceFrontend]) throws { try services.sync.apply(ServiceModel(frontends: frontends)) }

    // MARK: Clients

    struct Attempt: Decodable, Equatable {
        var backend: String?
        var seen: String?
        var peer: String?
        var sport: Int
        var errno: Int32?
    }

    /// Runs the outside client: `count` attempts to `host:port`, from source ports `sourcePortBase`
    /// up (0: any).
    func connect(_ mode: String, port: UInt16, host: String = nodeAddress, count: Int, sourcePortBase: Int = 0) throws -> [Attempt] {
        let result = try client.capture(["python3", "-u", "-c", Self.client, mode, host, String(port), String(count),
                                         String(sourcePortBase)])
        guard result.status == 0 else { throw TestEnvironmentError("client failed (\(result.status)): \(result.stderr)") }
        return try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(Attempt.self, from: Data($0.utf8)) }
    }

    func drops(_ reason: DropReason) throws -> UInt64 {
        try uplink.dropCounts().filter { $0.reason == reason }.reduce(0) { $0 + $1.packets }
    }
}
