import Foundation
import HedgerowNetlink
import HedgerowTestSupport
import Testing

/// Queries and changes against the real kernel, on links each test creates with unique names.
@Suite struct NetlinkSocketTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func findsAVethByListingByNameAndByIndex() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let pair = try TestVethPair(into: namespace)
        defer { pair.destroy() }
        let socket = try NetlinkSocket()
        defer { socket.close() }

        let links = try socket.links()
        let host = try #require(links.first { $0.name == pair.hostName })
        #expect(host.index == pair.hostIndex)
        #expect(host.kind == "veth")
        #expect(host.isUp)
        #expect(host.mtu == 1500)
        #expect(host.hardwareAddress?.bytes.count == 6)
        #expect(host.linkNetnsID != nil, "the peer lives in another namespace")
        #expect(host.linkIndex != nil, "a veth names its peer's index")
        #expect(links.contains { $0.isLoopback && $0.name == "lo" })

        let byName = try #require(try socket.link(named: pair.hostName))
        #expect(byName.index == host.index && byName.kind == "veth" && byName.hardwareAddress == host.hardwareAddress)
        let byIndex = try #require(try socket.link(index: host.index))
        #expect(byIndex.name == pair.hostName)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func findsTheAddressesOfALink() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let pair = try TestVethPair(into: namespace)
        defer { pair.destroy() }
        let ipv6 = "fd42:\(String(UInt16(truncatingIfNeeded: getpid()), radix: 16))::\(String(pair.hostIndex, radix: 16))"
        try Shell.run("ip", "-6", "addr", "add", "\(ipv6)/64", "dev", pair.hostName, "nodad")
        let socket = try NetlinkSocket()
        defer { socket.close() }

        let onLink = try socket.addresses(linkIndex: pair.hostIndex)
        #expect(onLink.allSatisfy { $0.linkIndex == pair.hostIndex })
        let ipv4 = try #require(onLink.first { $0.family == .ipv4 })
        #expect(ipv4.address == pair.hostAddress)
        #expect(ipv4.prefixLength == 30)
        #expect(ipv4.label == pair.hostName)
        #expect(onLink.contains { $0.family == .ipv6 && $0.address == ipv6 && $0.prefixLength == 64 })

        let onlyIPv6 = try socket.addresses(linkIndex: pair.hostIndex, family: .ipv6)
        #expect(!onlyIPv6.isEmpty && onlyIPv6.allSatisfy { $0.family == .ipv6 })
        #expect(try socket.addresses().contains(ipv4), "an unfiltered dump includes it too")
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func aVethInOneNamespaceNamesItsPeer() throws {
        try Privileged.require()
        let pair = try RootVethPair()
        defer { pair.destroy() }
        let socket = try NetlinkSocket()
        defer { socket.close() }

        let link = try #require(try socket.link(named: pair.name))
        #expect(link.linkIndex == pair.peerIndex)
        #expect(link.linkNetnsID == nil)
        #expect(try socket.link(index: pair.peerIndex)?.linkIndex == pair.index)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func missingLinksAreNilOrNotFound() throws {
        try Privileged.require()
        let socket = try NetlinkSocket()
        defer { socket.close() }
        let absent = UniqueName.make("hrnone")

        #expect(try socket.link(named: absent) == nil)
        #expect(try socket.link(named: "a-name-far-too-long-for-linux") == nil)
        #expect(try socket.link(index: Int32.max) == nil)
        let error = #expect(throws: NetlinkError.self) { try socket.deleteLink(named: absent) }
        #expect(error?.isNotFound == true)
        #expect(error?.description.contains(absent) == true)
        #expect(throws: NetlinkError.self) { try socket.setLinkUp(index: Int32.max) }
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func setsLinksUpAndDownAndDeletesThem() throws {
        try Privileged.require()
        let pair = try RootVethPair()
        defer { pair.destroy() }
        let socket = try NetlinkSocket()
        defer { socket.close() }
        let index = pair.index

        #expect(try socket.link(index: index)?.isUp == false)
        try socket.setLinkUp(index: index)
        #expect(try socket.link(index: index)?.isUp == true)
        try socket.setLinkDown(index: index)
        #expect(try socket.link(index: index)?.isUp == false)

        try socket.deleteLink(named: pair.name)
        #expect(try socket.link(index: index) == nil)
        #expect(try socket.link(named: pair.peerName) == nil, "deleting a veth removes its peer")
        let error = #expect(throws: NetlinkError.self) { try socket.deleteLink(index: index) }
        #expect(error?.isNotFound == true)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func deletesByIndex() throws {
        try Privileged.require()
        let pair = try RootVethPair()
        defer { pair.destroy() }
        let socket = try NetlinkSocket()
        defer { socket.close() }
        try socket.deleteLink(index: pair.index)
        #expect(try socket.link(named: pair.name) == nil)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func seesOnlyTheNamespaceOfTheThreadThatOpenedIt() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let pair = try TestVethPair(into: namespace)
        defer { pair.destroy() }

        let (links, addresses) = try onThread(in: namespace) {
            let socket = try NetlinkSocket()
            defer { socket.close() }
            return (try socket.links(), try socket.addresses(family: .ipv4))
        }
        #expect(Set(links.map(\.name)) == ["lo", pair.peerName])
        let peer = try #require(links.first { $0.name == pair.peerName })
        #expect(peer.kind == "veth")
        #expect(peer.linkNetnsID != nil)
        #expect(addresses.contains { $0.linkIndex == peer.index && $0.address == pair.peerAddress && $0.prefixLength == 30 })
    }

    /// A dump of 61 links spans several datagrams. Links appearing and vanishing meanwhile make
    /// the kernel mark some dumps interrupted; those are redone, and none may leave the socket
    /// unusable (EBUSY) for the next request.
    @Test(.enabled(if: Privileged.shouldRun))
    func largeDumpsSurviveLinksChanging() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }  // removes every link inside
        let batch = (0..<30).map { "link add hrb\($0) type veth peer name hrbp\($0)\n" }.joined()
        try Shell.run(["ip", "-n", namespace.name, "-batch", "-"], stdin: batch)
        let socket = try onThread(in: namespace) { try NetlinkSocket() }
        defer { socket.close() }
        #expect(try socket.links().count == 61)

        // Dumps run on their own thread, so they overlap the changes whatever the test pool does.
        let dumping = RepeatedOnThread {
            _ = try socket.links()
            _ = try socket.addresses()
        }
        for _ in 0..<10 {
            try namespace.run("ip", "link", "add", "hrc", "type", "veth", "peer", "name", "hrcp")
            try namespace.run("ip", "link", "delete", "hrc")
        }
        #expect(try dumping.stop() > 0)
        let links = try socket.links()
        #expect(links.count == 61)
        #expect(links.filter { $0.kind == "veth" }.count == 60)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func aClosedSocketRefusesRequests() throws {
        try Privileged.require()
        let socket = try NetlinkSocket()
        socket.close()
        socket.close()
        let error = #expect(throws: NetlinkError.self) { try socket.links() }
        #expect(error?.errno == EBADF)
    }
}
