import HedgerowNetlink
import Testing

@Suite struct AddressDecodingTests {
    typealias M = MessageBytes

    @Test func decodesAnIPv4AddressWithItsLabel() throws {
        let bytes = M.message(type: M.newAddress, body:
            M.addressInfo(family: M.afInet, prefixLength: 30, index: 9)
            + M.attribute(M.ifaAddress, [10, 77, 0, 1]) + M.attribute(M.ifaLocal, [10, 77, 0, 1])
            + M.attribute(M.ifaLabel, M.string("hrh0")))
        let address = try #require(try bytes.withUnsafeBytes { try Address(netlinkMessage: $0) })
        #expect(address == Address(linkIndex: 9, family: .ipv4, bytes: [10, 77, 0, 1], prefixLength: 30, label: "hrh0"))
        #expect(address.address == "10.77.0.1")
        #expect(address.description == "10.77.0.1/30")
    }

    /// On a point-to-point link IFA_ADDRESS is the peer; the link's own address is IFA_LOCAL.
    @Test func prefersTheLocalAddressOverThePeer() throws {
        let bytes = M.message(type: M.newAddress, body:
            M.addressInfo(family: M.afInet, prefixLength: 32, index: 4)
            + M.attribute(M.ifaAddress, [10, 0, 0, 2]) + M.attribute(M.ifaLocal, [10, 0, 0, 1]))
        let address = try #require(try bytes.withUnsafeBytes { try Address(netlinkMessage: $0) })
        #expect(address.address == "10.0.0.1")
    }

    @Test func decodesAnIPv6Address() throws {
        let fe80: [UInt8] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        let bytes = M.message(type: M.newAddress, body:
            M.addressInfo(family: M.afInet6, prefixLength: 64, scope: 253, index: 2) + M.attribute(M.ifaAddress, fe80))
        let address = try #require(try bytes.withUnsafeBytes { try Address(netlinkMessage: $0) })
        #expect(address.family == .ipv6)
        #expect(address.description == "fe80::1/64")
        #expect(address.scope == 253)
        #expect(address.linkIndex == 2)
    }

    @Test func otherFamiliesAreSkipped() throws {
        let bytes = M.message(type: M.newAddress, body:
            M.addressInfo(family: M.afPacket, prefixLength: 0, index: 2) + M.attribute(M.ifaAddress, [1, 2, 3, 4, 5, 6]))
        #expect(try bytes.withUnsafeBytes { try Address(netlinkMessage: $0) } == nil)
    }

    @Test func anAddressOfTheWrongSizeIsRejected() {
        let bytes = M.message(type: M.newAddress, body:
            M.addressInfo(family: M.afInet6, prefixLength: 64, index: 2) + M.attribute(M.ifaAddress, [10, 0, 0, 1]))
        let error = #expect(throws: NetlinkError.self) { try bytes.withUnsafeBytes { try Address(netlinkMessage: $0) } }
        #expect(error?.errno == 74)
    }
}
