/// The IPv4 header of what a raw socket receives (raw IPv4 sockets deliver the IP header too):
/// addresses, protocol and the payload after the options.
struct IPv4Datagram: Equatable {
    let source: UInt32
    let destination: UInt32
    let proto: UInt8
    let payload: [UInt8]

    init(source: UInt32, destination: UInt32, proto: UInt8, payload: [UInt8]) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.payload = payload
    }

    init(parsing bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, what: "IPv4 header")
        let versionAndLength = try reader.uint8("version/IHL")
        guard versionAndLength >> 4 == 4 else { throw PacketDecodingError("IPv4 header: version \(versionAndLength >> 4), expected 4") }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { throw PacketDecodingError("IPv4 header: IHL \(headerLength / 4) is below the minimum 5") }
        reader.skip(1)  // DSCP/ECN
        let totalLength = Int(try reader.uint16("total length"))
        reader.skip(5)  // identification, flags/fragment offset, TTL
        proto = try reader.uint8("protocol")
        reader.skip(2)  // header checksum (the kernel verified it)
        source = try reader.uint32("source address")
        destination = try reader.uint32("destination address")
        guard totalLength >= headerLength, totalLength <= bytes.count else {
            throw PacketDecodingError("IPv4 header: total length \(totalLength) outside \(headerLength)...\(bytes.count) (header..received)")
        }
        payload = Array(bytes[headerLength..<totalLength])
    }
}
