import Testing

@testable import HedgerowLab

@Suite("Traffic tool parsing")
struct TrafficParsingTests {
    @Test func timeouts() {
        #expect(ProbeResult.parseTimeout("1s") == 1)
        #expect(ProbeResult.parseTimeout("250ms") == 0.25)
        #expect(ProbeResult.parseTimeout("1.5s") == 1.5)
        #expect(ProbeResult.parseTimeout("2") == 2)
        #expect(ProbeResult.parseTimeout("0s") == nil)
        #expect(ProbeResult.parseTimeout("fast") == nil)
    }

    @Test func targets() {
        #expect(SocketAddress(parsing: "10.244.1.3:80") == SocketAddress(address: 0x0af4_0103, port: 80))
        #expect(SocketAddress(parsing: "10.244.1.3") == nil)
        #expect(SocketAddress(parsing: "10.244.1.3:0") == nil)
        #expect(SocketAddress(parsing: "host:80") == nil)
        #expect(SocketAddress(parsing: "10.244.1.3:65536") == nil)
    }

    @Test func ports() {
        #expect(EchoServer.parsePorts("80,81") == [80, 81])
        #expect(EchoServer.parsePorts("80") == [80])
        #expect(EchoServer.parsePorts("80,") == nil)
        #expect(EchoServer.parsePorts("http") == nil)
    }

    @Test func resultLines() {
        let target = SocketAddress(address: 0x0af4_0103, port: 80)
        #expect(ProbeResult(proto: .tcp, target: target, timeout: 1, outcome: .connected(reply: "b probe 1\n")).description
            == "connected tcp 10.244.1.3:80 reply=\"b probe 1\"")
        #expect(ProbeResult(proto: .udp, target: target, timeout: 0.5, outcome: .timeout).description == "timeout udp 10.244.1.3:80 after 500ms")
        #expect(ProbeResult(proto: .udp, target: target, timeout: 1, outcome: .refused).description == "refused udp 10.244.1.3:80")
    }
}
