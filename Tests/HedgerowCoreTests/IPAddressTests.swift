import Testing

@testable import HedgerowCore

@Suite struct IPAddressTests {
    @Test func parsesIPv4() {
        #expect(IPAddress("10.0.0.1") == .v4(0x0A00_0001))
        #expect(IPAddress("255.255.255.255") == .v4(0xFFFF_FFFF))
        #expect(IPAddress("0.0.0.0") == .v4(0))
        #expect(IPAddress("192.168.1.20")?.description == "192.168.1.20")
        #expect(IPAddress("10.0.0.1")?.bytes == [10, 0, 0, 1])
        #expect(IPAddress("10.0.0.1")?.family == .ipv4)
    }

    @Test(arguments: ["", "10.0.0", "10.0.0.1.2", "256.0.0.1", "10.0.0.01", "10..0.1", " 10.0.0.1", "a.b.c.d", "10.0.0.1/24", "-1.0.0.0"])
    func rejectsBadIPv4(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("fd00::1", "fd00::1"), ("FD00:0:0:0:0:0:0:1", "fd00::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"), ("1::", "1::"), ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
    ])
    func parsesAndPrintsIPv6Canonically(input: String, canonical: String) {
        let address = IPAddress(input)
        #expect(address?.description == canonical)
        #expect(address?.family == .ipv6)
        #expect(address.flatMap { IPAddress($0.description) } == address)
    }

    @Test(arguments: ["1::2::3", ":1::", "1:::2", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "g::1", "::1.2.3", "fe80::1%eth0", "1:2:3:4:5:6:7::8:9"])
    func rejectsBadIPv6(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func ordersIPv4BeforeIPv6() {
        let sorted = [IPAddress("fd00::1")!, IPAddress("10.0.0.2")!, IPAddress("10.0.0.1")!].sorted()
        #expect(sorted.map(\.description) == ["10.0.0.1", "10.0.0.2", "fd00::1"])
    }
}
