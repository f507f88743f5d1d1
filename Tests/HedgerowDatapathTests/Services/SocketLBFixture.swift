import Foundation
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport

@testable import HedgerowDatapath

/// A network namespace whose loopback carries three backend addresses (IPv4 and IPv6) with TCP
/// and UDP servers on each, a cgroup with the socket-LB programs attached, and pinned maps of
/// their own. Clients run inside the namespace, in the cgroup or (to show the difference) not.
/// `destroy()` removes it all.
final class SocketLBFixture {
    static let backends4 = ["10.244.0.11", "10.244.0.12", "10.244.0.13"]
    static let backends6 = ["fd00:244::11", "fd00:244::12", "fd00:244::13"]
    static let backendPort: UInt16 = 8080
    /// Answers TCP with the address it accepted on, then echoes lines; UDP with its address.
    static let server = """
        import socket, threading, sys
        def tcp(family, addr, port):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port)); s.listen(64)
            while True:
                c, _ = s.accept()
                threading.Thread(target=echo, args=(c, addr), daemon=True).start()
        def echo(c, addr):
            c.sendall(addr.encode() + b"\\n")
            f = c.makefile("rb")
            for line in f:
                c.sendall(addr.encode() + b" " + line)
            c.close()
        def udp(family, addr, port):
            s = socket.socket(family, socket.SOCK_DGRAM)
            s.bind((addr, port))
            while True:
                data, peer = s.recvfrom(512)
                s.sendto(addr.encode(), peer)
        port = int(sys.argv[1])
        for addr in sys.argv[2:]:
            family = socket.AF_INET6 if ":" in addr else socket.AF_INET
            for serve in (tcp, udp):
                threading.Thread(target=serve, args=(family, addr, port), daemon=True).start()
        print("ready", flush=True)
        threading.Event().wait()
        """
    /// One JSON line per attempt: {"backend": reply, "peer": "ip port"} or {"errno": n}.
    static let client = """
        import socket, sys, json, errno
        mode, host, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        def out(**kw): print(json.dumps(kw), flush=True)
        def tcp_once():
            s = socket.socket(family, socket.SOCK_STREAM); s.settimeout(5)
            try:
                s.connect((host, port))
            except OSError as e:
                out(errno=e.errno); return None
            f = s.makefile("rb")
            peer = s.getpeername()
            out(backend=f.readline().decode().strip(), peer="%s %d" % (peer[0], peer[1]))
            return s, f
        if mode == "tcp":
            for _ in range(count):
                r = tcp_once()
                if r: r[0].close()
        elif mode == "udp":
            s = socket.socket(family, socket.SOCK_DGRAM); s.settimeout(5)
            for _ in range(count):
                try:
                    s.sendto(b"hi", (host, port))
                    data, peer = s.recvfrom(512)
                    out(backend=data.decode(), peer="%s %d" % (peer[0], peer[1]))
                except OSError as e:
                    out(errno=e.errno)
        elif mode == "hold":
            s, f = tcp_once()
            sys.stdin.readline()
            s.sendall(b"still there\\n")
            out(echo=f.readline().decode().strip())
            for _ in range(count):
                r = tcp_once()
                if r: r[0].close()
        """

    let namespace: TestNamespace
    let cgroup: String
    let pinRoot: String
    let datapath: ServiceDatapath
    private let server: Process

    init() throws {
        let namespace = try TestNamespace(prefix: "hsl")
        let cgroup = "/sys/fs/cgroup/unified/" + UniqueName.make("hsl")
        let pinRoot = "/sys/fs/bpf/" + UniqueName.make("hsl")
        let server = Process()
        var datapath: ServiceDatapath?
        do {
            for address in Self.backends4 { try namespace.run("ip", "addr", "add", "\(address)/32", "dev", "lo") }
            for address in Self.backends6 { try namespace.run("ip", "addr", "add", "\(address)/128", "dev", "lo", "nodad") }
            guard mkdir(cgroup, 0o755) == 0 else { throw TestEnvironmentError("mkdir \(cgroup): errno \(errno)") }
            datapath = try ServiceDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot, nodeName: "node-a")
            try datapath!.attach(cgroupPath: cgroup)

            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = ["ip", "netns", "exec", namespace.name, "python3", "-u", "-c", Self.server,
                                String(Self.backendPort)] + Self.backends4 + Self.backends6
            let output = Pipe()
            server.standardOutput = output
            try server.run()
            let ready = output.fileHandleForReading.availableData
            guard String(decoding: ready, as: UTF8.self).contains("ready") else { throw TestEnvironmentError("servers did not start") }
        } catch {
            Self.cleanUp(namespace: namespace, cgroup: cgroup, pinRoot: pinRoot, datapath: datapath, server: server)
            throw error
        }
        self.namespace = namespace
        self.cgroup = cgroup
        self.pinRoot = pinRoot
        self.datapath = datapath!
        self.server = server
    }

    func destroy() { Self.cleanUp(namespace: namespace, cgroup: cgroup, pinRoot: pinRoot, datapath: datapath, server: server) }

    private static func cleanUp(namespace: TestNamespace, cgroup: String, pinRoot: String, datapath: ServiceDatapath?, server: Process) {
        if server.isRunning {
            // SIGKILL: a child may inherit a mask that blocks SIGTERM.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        if FileManager.default.fileExists(atPath: cgroup) { _ = try? datapath?.detach(cgroupPath: cgroup) }
        rmdir(cgroup)
        try? BPFPin.removeTree(pinRoot)
        namespace.destroy()
    }

    // MARK: Services

    static func vip4(_ last: Int = 10) -> String { "10.96.0.\(last)" }

    func apply(_ frontends: [ServiceFrontend]) throws { try datapath.sync.apply(ServiceModel(frontends: frontends)) }

    static func frontend(_ vip: String, _ port: UInt16, _ proto: TransportProtocol = .tcp, id: UInt16, backends: [String],
                         affinity: UInt32? = nil) -> ServiceFrontend {
        ServiceFrontend(
            key: FrontendKey(address: .ip(IPAddress(vip)!), port: port, protocol: proto), kind: .clusterIP,
            service: NamespacedName(namespace: "default", name: "svc\(id)"), id: ServiceID(rawValue: id),
            backends: backends.map { ServiceBackend(address: BackendAddress(ip: IPAddress($0)!, port: backendPort)) }.sorted(),
            sessionAffinity: affinity.map { .clientIP(timeoutSeconds: $0) } ?? .none)
    }

    // MARK: Clients

    struct Attempt: Decodable, Equatable {
        var backend: String?
        var peer: String?
        var errno: Int32?
        var echo: String?
    }

    /// Runs the client in the namespace; inside the cgroup unless `inCgroup` is false.
    func client(_ mode: String, _ host: String, _ port: UInt16, count: Int, inCgroup: Bool = true) throws -> [Attempt] {
        let result = try Shell.capture(command(mode, host, port, count: count, inCgroup: inCgroup))
        guard result.status == 0 else { throw TestEnvironmentError("client failed (\(result.status)): \(result.stderr)") }
        return try Self.decode(result.stdout)
    }

    func command(_ mode: String, _ host: String, _ port: UInt16, count: Int, inCgroup: Bool = true) -> [String] {
        // Join the cgroup first, then the namespace: `ip netns exec` would remount /sys and hide
        // the cgroup2 mount, so nsenter (network namespace only) is used.
        let enter = "exec nsenter --net=/run/netns/\(namespace.name) python3 -u -c \"$0\" \"$@\""
        let script = inCgroup ? "echo $$ > \(cgroup)/cgroup.procs && " + enter : enter
        return ["sh", "-c", script, Self.client, mode, host, String(port), String(count)]
    }

    static func decode(_ output: String) throws -> [Attempt] {
        try output.split(separator: "\n").map { try JSONDecoder().decode(Attempt.self, from: Data($0.utf8)) }
    }
}
