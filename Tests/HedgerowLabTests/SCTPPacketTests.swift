import Testing

@testable import HedgerowLab

@Suite("SCTP packets: CRC32c, encoding, decoding")
struct SCTPPacketTests {
    /// RFC 3720 appendix B.4 (iSCSI uses the same CRC32c and the same byte placement as SCTP):
    /// the bytes listed there are the CRC least significant byte first.
    @Test func crc32cTestVectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        let readCommand: [UInt8] = [
            0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(CRC32C.checksum(readCommand) == 0xD996_3A56)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)  // the usual check value
    }

    static let probeInit = SCTPHandshake.initiation(sourcePort: 40000, destinationPort: 80, tag: 0x0102_0304, initialTSN: 0x0A0B_0C0D)

    @Test func initLayout() {
        let bytes = Self.probeInit.encoded()
        #expect(bytes.count == 12 + 20)
        #expect(Array(bytes[0..<8]) == [0x9C, 0x40, 0x00, 0x50, 0, 0, 0, 0])  // ports 40000 -> 80, tag 0
        #expect(Array(bytes[12..<16]) == [1, 0, 0, 20])  // INIT, no flags, length 20
        #expect(Array(bytes[16..<20]) == [1, 2, 3, 4])  // initiate tag
        #expect(Array(bytes[28..<32]) == [0x0A, 0x0B, 0x0C, 0x0D])  // initial TSN
        var zeroed = bytes
        zeroed.replaceSubrange(8..<12, with: [0, 0, 0, 0])
        let crc = CRC32C.checksum(zeroed)
        #expect(Array(bytes[8..<12]) == [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
    }

    @Test func roundTrips() throws {
        #expect(try SCTPPacket(decoding: Self.probeInit.encoded()) == Self.probeInit)
        let ack = SCTPPacket(
            sourcePort: 80, destinationPort: 40000, verificationTag: 0x0102_0304,
            chunks: [.initiationAck(SCTPInitiation(initiateTag: 9, initialTSN: 7), stateCookie: Array("b init-ack".utf8))])
        let encoded = ack.encoded()
        #expect(encoded.count % 4 == 0, "the 10-byte cookie is padded to a 4-byte boundary")
        #expect(try SCTPPacket(decoding: encoded) == ack)
        let abort = SCTPPacket(sourcePort: 80, destinationPort: 40000, verificationTag: 5, chunks: [.abort(tagReflected: true)])
        #expect(try SCTPPacket(decoding: abort.encoded()) == abort)
    }

    @Test func corruptedPacketsAreRejected() {
        var flipped = Self.probeInit.encoded()
        flipped[17] ^= 0x01
        #expect(throws: PacketDecodingError.self) { try SCTPPacket(decoding: flipped) }
        do {
            _ = try SCTPPacket(decoding: flipped)
        } catch {
            #expect("\(error)".contains("checksum"))
        }
        let short = Array(Self.probeInit.encoded()[0..<10])
        #expect(throws: PacketDecodingError("SCTP packet: checksum needs 4 bytes at offset 8, only 2 left")) {
            try SCTPPacket(decoding: short)
        }
    }

    @Test func initAckWithoutCookieIsRejected() {
        let bare = SCTPPacket(
            sourcePort: 80, destinationPort: 40000, verificationTag: 1,
            chunks: [.other(type: 2, flags: 0, value: [0, 0, 0, 9, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1])])
        #expect(throws: PacketDecodingError("INIT ACK chunk: no State Cookie parameter (type 7), which RFC 9260 requires")) {
            try SCTPPacket(decoding: bare.encoded())
        }
    }

    @Test func zeroInitiateTagIsRejected() {
        let bad = SCTPHandshake.initiation(sourcePort: 1, destinationPort: 2, tag: 0, initialTSN: 0)
        #expect(throws: PacketDecodingError("INIT chunk: initiate tag 0 (must be nonzero)")) { try SCTPPacket(decoding: bad.encoded()) }
    }

    @Test func ipv4HeaderOfARawReceive() throws {
        let payload = Self.probeInit.encoded()
        var header: [UInt8] = [0x45, 0, 0, UInt8(20 + payload.count), 0, 0, 0x40, 0, 64, 132, 0, 0, 10, 244, 1, 3, 10, 244, 1, 4]
        header[2] = 0
        let datagram = try IPv4Datagram(parsing: header + payload + [0xEE])  // trailing bytes beyond total length are dropped
        #expect(datagram == IPv4Datagram(source: 0x0AF4_0103, destination: 0x0AF4_0104, proto: 132, payload: payload))
        #expect(throws: PacketDecodingError.self) { try IPv4Datagram(parsing: [0x65] + Array(header.dropFirst())) }
    }
}

@Suite("SCTP handshake: the server's answer and the probe's reading of it")
struct SCTPHandshakeTests {
    static let request = SCTPPacketTests.probeInit

    static func answer(_ packet: SCTPPacket, ports: Set<UInt16> = [80, 81]) -> SCTPPacket? {
        SCTPHandshake.answer(to: packet, servedPorts: ports, tag: 0xCAFE, initialTSN: 1, replyPrefix: Array("b ".utf8))
    }

    @Test func servedPortGetsInitAck() throws {
        let reply = try #require(Self.answer(Self.request))
        #expect(reply.sourcePort == 80 && reply.destinationPort == 40000)
        #expect(reply.verificationTag == 0x0102_0304)
        guard case let .initiationAck(fixed, cookie)? = reply.chunks.first else {
            Issue.record("expected INIT ACK, got \(reply.chunks)")
            return
        }
        #expect(fixed.initiateTag == 0xCAFE)
        #expect(String(decoding: cookie, as: UTF8.self) == "b init-ack")
        #expect(SCTPHandshake.outcome(of: try SCTPPacket(decoding: reply.encoded()), answering: Self.request) == .connected(reply: "b init-ack"))
    }

    @Test func serverStaysSilentOtherwise() throws {
        #expect(Self.answer(Self.request, ports: [81]) == nil, "unserved port")
        var tagged = Self.request
        tagged.verificationTag = 7
        #expect(Self.answer(tagged) == nil, "an INIT must carry verification tag 0")
        let ack = try #require(Self.answer(Self.request))
        #expect(Self.answer(ack) == nil, "INIT ACKs (another probe's, in the same namespace) are not answered")
    }

    @Test func probeIgnoresPacketsThatAreNotItsAnswer() throws {
        let ack = try #require(Self.answer(Self.request))
        var otherTag = ack
        otherTag.verificationTag &+= 1
        var otherPort = ack
        otherPort.destinationPort = 40001
        var otherSource = ack
        otherSource.sourcePort = 81
        for packet in [otherTag, otherPort, otherSource, Self.request] {
            #expect(SCTPHandshake.outcome(of: packet, answering: Self.request) == nil)
        }
    }

    @Test func abortWithTheProbesTagReadsAsRefused() {
        let abort = SCTPPacket(sourcePort: 80, destinationPort: 40000, verificationTag: 0x0102_0304, chunks: [.abort(tagReflected: false)])
        #expect(SCTPHandshake.outcome(of: abort, answering: Self.request) == .refused)
    }

    @Test func sctpTargets() {
        #expect(ProbeTarget(parsing: "10.244.1.3:80/sctp") == ProbeTarget(address: SocketAddress(address: 0x0AF4_0103, port: 80), proto: .sctp))
        #expect(ProbeTarget(parsing: "10.244.1.3:80/SCTP")?.proto == .sctp)
        #expect(ProbeTarget(parsing: "10.244.1.3:80/dccp") == nil)
    }
}
