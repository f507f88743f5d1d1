import Foundation
import HedgerowTestSupport
import Testing

@testable import HedgerowLab

/// `hlab serve --sctp` in a namespace of the test, probed over a veth pair from here: real raw
/// IP packets both ways, as the conformance suite uses them between pods.
@Suite("SCTP over raw IP: hlab serve and probe", .serialized)
struct SCTPTrafficTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func initIsAnsweredOnServedPortsOnly() throws {
        try Privileged.require()
        let namespace = try TestNamespace(prefix: "hls")
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 86)
        defer { veth.destroy() }
        let server = try BackgroundCommand(
            ["/usr/bin/env", "ip", "netns", "exec", namespace.name, Hlab.path, "serve", "--sctp", "80,81", "--sctp", "8080", "--id", "srv"])
        defer { server.stop() }
        #expect(server.waitForLine("ready"), "hlab serve did not start: \(server.output)")

        let address = try #require(IPv4CIDR.parseAddress(veth.peerAddress))
        for port: UInt16 in [80, 81, 8080] {
            let result = Prober.probe(SocketAddress(address: address, port: port), protocol: .sctp, timeout: 2)
            #expect(result.outcome == .connected(reply: "srv init-ack"), "port \(port): \(result)")
        }
        let unserved = Prober.probe(SocketAddress(address: address, port: 82), protocol: .sctp, timeout: 0.3)
        #expect(unserved.outcome == .timeout, "the server stays silent on ports it does not serve: \(unserved)")

        // With no raw SCTP socket left in the namespace, the kernel answers protocol unreachable.
        server.stop()
        let stopped = Prober.probe(SocketAddress(address: address, port: 80), protocol: .sctp, timeout: 2)
        #expect(stopped.outcome == .refused, "\(stopped)")
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func probeCommandsSpeakSCTP() throws {
        try Privileged.require()
        let namespace = try TestNamespace(prefix: "hls")
        defer { namespace.destroy() }
        let server = try BackgroundCommand(["/usr/bin/env", "ip", "netns", "exec", namespace.name, Hlab.path, "serve", "--sctp", "80"])
        defer { server.stop() }
        #expect(server.waitForLine("ready"), "hlab serve did not start: \(server.output)")

        // Loopback inside the namespace: the probe's own INIT reaches its socket too and must be ignored.
        let probe = try namespace.capture([Hlab.path, "probe", "127.0.0.1:80", "--protocol", "sctp", "--timeout", "2s"])
        #expect(probe.status == 0 && probe.stdout == "connected sctp 127.0.0.1:80 reply=\"init-ack\"\n", "\(probe)")
        let matrix = try namespace.capture([Hlab.path, "probe-matrix", "--targets", "127.0.0.1:80/sctp,127.0.0.1:81/sctp", "--timeout", "300ms"])
        #expect(matrix.stdout == "127.0.0.1:80/sctp ok\n127.0.0.1:81/sctp timeout\n", "\(matrix)")
    }
}
