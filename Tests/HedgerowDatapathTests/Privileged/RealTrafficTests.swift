import Foundation
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// Real connections through the programs attached to a veth: a pod namespace with servers on
/// two ports, a policy that allows one of them.
@Suite("Policy with real traffic", .serialized) struct RealTrafficTests {
    static let server = """
        import socket, threading
        def serve(port):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            s.listen(16)
            while True:
                c, _ = s.accept()
                c.sendall(b"hello %d\\n" % port)
                c.close()
        for p in (8080, 8081):
            threading.Thread(target=serve, args=(p,), daemon=True).start()
        print("ready", flush=True)
        threading.Event().wait()
        """
    static let client = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
        print(s.recv(64).decode().strip())
        """

    static func connect(_ address: String, _ port: Int, patience: Double = 5) throws -> String? {
        let result = try Shell.capture(["python3", "-c", client, address, String(port), String(patience)])
        return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func allowsOnePortAndNotTheOther() async throws {
        try Privileged.require()
        let namespace = try TestNamespace(prefix: "hdr")
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 83)
        defer { veth.destroy() }
        let pinRoot = "/sys/fs/bpf/" + UniqueName.make("hdr")
        defer { try? BPFPin.removeTree(pinRoot) }

        let datapath = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
        let endpoint = DatapathEndpoint(id: 11, interfaceIndex: veth.hostIndex, addresses: [veth.peerAddress], identity: 1000)
        let client = SecurityIdentity(rawValue: 2050)
        try datapath.ipcache.apply([IPPrefix(veth.hostAddress + "/32")!: client,
                                    IPPrefix(veth.peerAddress + "/32")!: SecurityIdentity(rawValue: 1000)])
        // Policy first, then the install that attaches the programs: enforced from the first packet.
        try datapath.policy.apply(EndpointPolicy(ingressEnforced: true, egressEnforced: true, entries: [
            allow(.ingress, client.rawValue, 6, 8080, 16, "client to 8080"),
        ]), endpointID: endpoint.id, interfaceIndex: endpoint.interfaceIndex)
        #expect(try datapath.install(endpoint) == .attached)
        defer { try? datapath.remove(endpointID: endpoint.id, interfaceIndex: veth.hostIndex, interfaceExists: true) }
        let events = EventCollector(try datapath.flowEvents())
        defer { events.stop() }

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["ip", "netns", "exec", namespace.name, "python3", "-u", "-c", Self.server]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        // SIGKILL: a child may inherit a mask that blocks SIGTERM.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let ready = output.fileHandleForReading.availableData
        #expect(String(decoding: ready, as: UTF8.self).contains("ready"))

        #expect(try Self.connect(veth.peerAddress, 8080) == "hello 8080")
        #expect(try Self.connect(veth.peerAddress, 8081, patience: 1.5) == nil)
        #expect(try datapath.dropCounts().contains { $0.reason == .policyDenied && $0.direction == .ingress && $0.packets >= 1 })

        let seen = await events.wait(for: 3)
        let opened = seen.first { $0.verdict == .forwarded && $0.l4?.destinationPort == 8080 && $0.traceReason == .new }
        #expect(opened?.sourceIdentity == client)
        #expect(opened?.ip.source == IPAddress(veth.hostAddress))
        #expect(seen.contains { $0.isReply && $0.l4?.sourcePort == 8080 })
        let denied = seen.first { $0.verdict == .dropped && $0.l4?.destinationPort == 8081 }
        #expect(denied?.dropReason == .policyDenied)
        #expect(denied?.l4?.tcpFlags == .syn)

        // The same port opens once the policy allows it: the drop was the policy's.
        try datapath.policy.apply(EndpointPolicy(ingressEnforced: true, egressEnforced: true, entries: [
            allow(.ingress, client.rawValue, 6, 8080, 15, "client to 8080-8081"),
        ]), endpointID: endpoint.id, interfaceIndex: endpoint.interfaceIndex)
        #expect(try Self.connect(veth.peerAddress, 8081) == "hello 8081")
        // The pod itself may open nothing (egress enforced, nothing allowed).
        let outbound = try namespace.capture(["python3", "-c", Self.client, veth.hostAddress, "22", "1"])
        #expect(outbound.status != 0)
        #expect(try datapath.dropCounts().contains { $0.reason == .policyDenied && $0.direction == .egress })
    }
}
