import HedgerowNetlink
import Testing

@Suite struct LinkDecodingTests {
    typealias M = MessageBytes

    /// An RTM_NEWLINK for a veth whose peer lives in another namespace, as the kernel sends it.
    static func vethMessage(type: UInt16 = M.newLink) -> [UInt8] {
        let up: UInt32 = 0x1, running: UInt32 = 0x40, multicast: UInt32 = 0x1000
        return M.message(type: type, body:
            M.linkInfo(index: 42, flags: up | running | multicast)
            + M.attribute(M.iflaName, M.string("hrh-test0"))
            + M.attribute(M.iflaMTU, M.value(UInt32(1500)))
            + M.attribute(M.iflaAddress, [0x02, 0x42, 0xac, 0x11, 0x00, 0x0b])
            + M.attribute(M.iflaLink, M.value(Int32(7)))
            + M.attribute(M.iflaLinkNetnsID, M.value(Int32(3)))
            + M.attribute(M.iflaLinkInfo | M.nestedFlag, M.attribute(M.iflaInfoKind, M.string("veth")))
            + M.attribute(999, [1, 2, 3]))  // unknown to the decoder: ignored
    }

    @Test func decodesEveryFieldOfAVethLink() throws {
        let link = try Self.vethMessage().withUnsafeBytes { try Link(netlinkMessage: $0) }
        #expect(link.index == 42)
        #expect(link.name == "hrh-test0")
        #expect(link.kind == "veth")
        #expect(link.isUp && link.isRunning && !link.isLoopback)
        #expect(link.mtu == 1500)
        #expect(link.hardwareAddress?.description == "02:42:ac:11:00:0b")
        #expect(link.linkIndex == 7)
        #expect(link.linkNetnsID == 3)
        #expect(link.masterIndex == nil)
    }

    @Test func aLinkWithoutOptionalAttributesHasNils() throws {
        let bytes = M.message(type: M.newLink, body: M.linkInfo(index: 1, flags: 0x8) + M.attribute(M.iflaName, M.string("lo")))
        let link = try bytes.withUnsafeBytes { try Link(netlinkMessage: $0) }
        #expect(link == Link(index: 1, name: "lo", flags: 0x8))
        #expect(link.isLoopback && !link.isUp)
    }

    /// The first end of a new veth pair is announced before its peer exists, with IFLA_LINK 0.
    @Test func aZeroLinkIndexMeansNoLink() throws {
        let bytes = M.message(type: M.newLink, body: M.linkInfo(index: 8, flags: 0)
            + M.attribute(M.iflaName, M.string("hrp0")) + M.attribute(M.iflaLink, M.value(Int32(0))))
        #expect(try bytes.withUnsafeBytes { try Link(netlinkMessage: $0) }.linkIndex == nil)
    }

    @Test func decodesFromAnUnalignedBuffer() throws {
        let shifted = [0xff] + Self.vethMessage()
        let link = try shifted.withUnsafeBytes { try Link(netlinkMessage: UnsafeRawBufferPointer(rebasing: $0.dropFirst())) }
        #expect(link.name == "hrh-test0")
    }

    @Test func aDeleteMessageDecodesToo() throws {
        let link = try Self.vethMessage(type: M.deleteLink).withUnsafeBytes { try Link(netlinkMessage: $0) }
        #expect(link.index == 42)
    }

    @Test func aShortFixedSizeAttributeDecodesAsAbsent() throws {
        let bytes = M.message(type: M.newLink, body: M.linkInfo(index: 5, flags: 0)
            + M.attribute(M.iflaName, M.string("x")) + M.attribute(M.iflaMTU, [0xdc]))
        let link = try bytes.withUnsafeBytes { try Link(netlinkMessage: $0) }
        #expect(link.mtu == 0)
    }

    @Test(arguments: [
        ("truncated header", Array(vethMessage().prefix(12))),
        ("length beyond buffer", Array(vethMessage().dropLast(8))),
        ("no ifinfomsg", M.message(type: M.newLink, body: [0, 0, 0, 0])),
        ("no name", M.message(type: M.newLink, body: M.linkInfo(index: 3, flags: 0))),
        ("not a link message", M.message(type: M.newAddress, body: M.linkInfo(index: 3, flags: 0))),
    ])
    func malformedMessagesAreRejected(_ label: String, _ bytes: [UInt8]) {
        let error = #expect(throws: NetlinkError.self, "\(label)") { try bytes.withUnsafeBytes { try Link(netlinkMessage: $0) } }
        #expect(error?.errno == 74, "EBADMSG for \(label)")
        #expect(error?.description.contains("decode link message") == true)
    }
}
