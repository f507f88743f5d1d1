/// IPv4 frames for the test runs (checksums zero: the programs never read them).
enum BenchPacket {
    static func tcp(from source: [UInt8], to destination: [UInt8], sport: UInt16, dport: UInt16, flags: UInt8) -> [UInt8] {
        let tcp = be(sport) + be(dport) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags] + be(65535) + [0, 0, 0, 0]
        let payload = [UInt8](repeating: 0x61, count: 20)
        return ethernet + ipv4(proto: 6, source, destination, length: tcp.count + payload.count) + tcp + payload
    }

    static let syn: UInt8 = 0x02
    static let ack: UInt8 = 0x10

    private static let ethernet: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]

    private static func ipv4(proto: UInt8, _ source: [UInt8], _ destination: [UInt8], length: Int) -> [UInt8] {
        [0x45, 0] + be(UInt16(20 + length)) + [0, 1, 0x40, 0, 64, proto, 0, 0] + source + destination
    }

    private static func be(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
}
