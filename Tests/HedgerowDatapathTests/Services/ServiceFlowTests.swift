import Foundation
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// Translated traffic seen by the endpoint programs: flows of socket-LB connections name their
/// service, and a pod's packets to a VIP that socket-LB did not translate are translated on
/// its veth (and their replies translated back).
///
/// A pod namespace behind a veth whose host end (in this namespace) carries the endpoint
/// programs; the backend listens on the host end's address; the socket-LB programs sit on a
/// cgroup of the test's own.
@Suite("Services in endpoint flows", .serialized) struct ServiceFlowTests {
    static let vip = "10.96.7.10"
    static let backendPort: UInt16 = 8080
    static let server = """
        import socket, sys
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16)
        print("ready", flush=True)
        while True:
            c, peer = s.accept()
            c.sendall(("ok %s\\n" % peer[0]).encode()); c.close()
        """
    /// Prints the answer and the peer the socket reports.
    static let client = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
        peer = s.getpeername()
        print(s.makefile("rb").readline().decode().strip(), "%s:%d" % peer)
        """

    /// The pod, its veth, both datapaths on fresh pins, a cgroup with socket LB, the backend.
    final class Fixture {
        let namespace: TestNamespace
        let veth: TestVethPair
        let pinRoot = "/sys/fs/bpf/" + UniqueName.make("hsf")
        let cgroup = "/sys/fs/cgroup/unified/" + UniqueName.make("hsf")
        let endpoints: EndpointDatapath
        let services: ServiceDatapath
        let endpoint: DatapathEndpoint
        let server = Process()

        init() throws {
            namespace = try TestNamespace(prefix: "hsf")
            do { veth = try TestVethPair(into: namespace, subnet: 84) } catch {
                namespace.destroy()
                throw error
            }
            endpoint = DatapathEndpoint(id: 21, interfaceIndex: veth.hostIndex, addresses: [veth.peerAddress], identity: 1000)
            var services: ServiceDatapath?
            do {
                guard mkdir(cgroup, 0o755) == 0 else { throw TestEnvironmentError("mkdir \(cgroup): errno \(errno)") }
                endpoints = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
                services = try ServiceDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
                try services!.attach(cgroupPath: cgroup)
                try endpoints.install(endpoint)
                try namespace.run("ip", "route", "add", "10.96.0.0/16", "via", veth.hostAddress)
                server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                server.arguments = ["python3", "-u", "-c", ServiceFlowTests.server, veth.hostAddress, String(ServiceFlowTests.backendPort)]
                let output = Pipe()
                server.standardOutput = output
                try server.run()
                guard String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).contains("ready") else {
                    throw TestEnvironmentError("backend did not start")
                }
                try services!.sync.apply(ServiceModel(frontends: [ServiceFrontend(
                    key: FrontendKey(address: .ip(IPAddress(ServiceFlowTests.vip)!), port: 80, protocol: .tcp), kind: .clusterIP,
                    service: NamespacedName(namespace: "default", name: "web"), id: ServiceID(rawValue: 77),
                    backends: [ServiceBackend(address: BackendAddress(ip: IPAddress(veth.hostAddress)!, port: ServiceFlowTests.backendPort))])]))
            } catch {
                Self.cleanUp(server: server, services: services, cgroup: cgroup, veth: veth, namespace: namespace, pinRoot: pinRoot)
                throw error
            }
            self.services = services!
        }

        func destroy() {
            Self.cleanUp(server: server, services: services, cgroup: cgroup, veth: veth, namespace: namespace, pinRoot: pinRoot)
        }

        private static func cleanUp(server: Process, services: ServiceDatapath?, cgroup: String, veth: TestVethPair,
                                    namespace: TestNamespace, pinRoot: String) {
            if server.isRunning {
                kill(server.processIdentifier, SIGKILL)
                server.waitUntilExit()
            }
            if FileManager.default.fileExists(atPath: cgroup) { _ = try? services?.detach(cgroupPath: cgroup) }
            rmdir(cgroup)
            veth.destroy()
            namespace.destroy()
            try? BPFPin.removeTree(pinRoot)
        }

        /// Connects from the pod to the VIP, inside the socket-LB cgroup or not.
        func connect(inCgroup: Bool) throws -> String? {
            let enter = "exec nsenter --net=/run/netns/\(namespace.name) python3 -c \"$0\" \"$@\""
            let script = inCgroup ? "echo $$ > \(cgroup)/cgroup.procs && " + enter : enter
            let result = try Shell.capture(["sh", "-c", script, ServiceFlowTests.client, ServiceFlowTests.vip, "80"])
            return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func socketLBFlowsCarryTheService() async throws {
        try Privileged.require()
        let fixture = try Fixture()
        defer { fixture.destroy() }
        let events = EventCollector(try fixture.endpoints.flowEvents())
        defer { events.stop() }

        #expect(try fixture.connect(inCgroup: true) == "ok \(fixture.veth.peerAddress) \(Self.vip):80")
        let flows = await events.wait(for: 1)
        let opened = flows.first { $0.direction == .egress && $0.traceReason == .new && $0.ipProtocol == 6 }
        // The packet already carries the backend; the flow names the service it was meant for.
        #expect(opened?.ip.destination == IPAddress(fixture.veth.hostAddress))
        #expect(opened?.translation == .init(originalDestination: IPAddress(Self.vip)!, originalPort: 80, reverseNATID: 77,
                                             point: .socket))
        // socket LB remembered the socket (what the flow was attributed by).
        #expect(try fixture.services.translatedSocketCount() >= 1)
        // Conntrack keeps the service: every later event of the connection names it, replies
        // included, with the frontend the client asked for.
        _ = await events.wait(for: 2)
        let connection = await events.settle().filter { $0.ipProtocol == 6 }
        #expect(connection.contains { $0.direction == .ingress && $0.isReply })
        #expect(connection.count >= 2)
        for flow in connection {
            #expect(flow.translation == .init(originalDestination: IPAddress(Self.vip)!, originalPort: 80, reverseNATID: 77,
                                              point: .socket), "\(flow.direction) \(flow.traceReason)")
        }
        let tracked = try fixture.endpoints.connections(endpointID: fixture.endpoint.id)
        #expect(tracked.contains { $0.reverseNATID == 77 && $0.translationPoint == .socket })
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func vipTrafficOutsideTheCgroupIsTranslatedOnTheVeth() async throws {
        try Privileged.require()
        let fixture = try Fixture()
        defer { fixture.destroy() }
        let events = EventCollector(try fixture.endpoints.flowEvents())
        defer { events.stop() }

        // The pod's socket talks to the VIP throughout: its replies are translated back.
        #expect(try fixture.connect(inCgroup: false) == "ok \(fixture.veth.peerAddress) \(Self.vip):80")
        let flows = await events.wait(for: 2)
        let opened = flows.first { $0.direction == .egress && $0.traceReason == .new && $0.ipProtocol == 6 }
        #expect(opened?.ip.destination == IPAddress(fixture.veth.hostAddress))
        #expect(opened?.translation == .init(originalDestination: IPAddress(Self.vip)!, originalPort: 80, reverseNATID: 77,
                                             point: .endpoint))
        let reply = flows.first { $0.direction == .ingress && $0.isReply }
        #expect(reply?.translation?.reverseNATID == 77 && reply?.translation?.point == .endpoint)
        // Conntrack tracked the connection to the backend, where policy looked too.
        let tracked = try fixture.endpoints.connections(endpointID: fixture.endpoint.id)
        #expect(tracked.contains { $0.destination == IPAddress(fixture.veth.hostAddress) && $0.destinationPort == Self.backendPort
                && $0.reverseNATID == 77 && $0.translationPoint == .endpoint })
    }
}
