import HedgerowCore

/// Ethernet frames for BPF_PROG_TEST_RUN: IPv4 or IPv6 with a TCP, UDP, SCTP or ICMP header.
/// Checksums stay zero: the programs never look at them.
struct TestPacket {
    var source: IPAddress
    var destination: IPAddress
    var transport: Transport
    /// IPv4 fragment fields: offset in 8-byte units, more-fragments flag, identification.
    var fragmentOffset: UInt16 = 0
    var moreFragments = false
    var identification: UInt16 = 0x4242
    /// Payload bytes after the transport header.
    var payload = 0

    enum Transport {
        case tcp(sport: UInt16, dport: UInt16, flags: TCPFlags)
        case udp(sport: UInt16, dport: UInt16)
        case sctp(sport: UInt16, dport: UInt16)
        case icmpEcho(request: Bool, id: UInt16)
        /// A later fragment: no transport header at all.
        case none(proto: UInt8)
        /// ICMP destination unreachable (port unreachable) quoting `quoted`'s IP header and ports.
        case icmpUnreachable(quoted: [UInt8])
    }

    /// IPv6 extension headers to put before the transport header (hop-by-hop options, 8 bytes each).
    var hopByHopHeaders = 0

    static func tcp(_ source: String, _ destination: String, _ sport: UInt16, _ dport: UInt16, _ flags: TCPFlags = .syn) -> TestPacket {
        TestPacket(source: IPAddress(source)!, destination: IPAddress(destination)!, transport: .tcp(sport: sport, dport: dport, flags: flags))
    }

    static func udp(_ source: String, _ destination: String, _ sport: UInt16, _ dport: UInt16) -> TestPacket {
        TestPacket(source: IPAddress(source)!, destination: IPAddress(destination)!, transport: .udp(sport: sport, dport: dport))
    }

    static func sctp(_ source: String, _ destination: String, _ sport: UInt16, _ dport: UInt16) -> TestPacket {
        TestPacket(source: IPAddress(source)!, destination: IPAddress(destination)!, transport: .sctp(sport: sport, dport: dport))
    }

    static func ping(_ source: String, _ destination: String, id: UInt16, request: Bool = true) -> TestPacket {
        TestPacket(source: IPAddress(source)!, destination: IPAddress(destination)!, transport: .icmpEcho(request: request, id: id))
    }

    var isIPv6: Bool { source.family == .ipv6 }

    var proto: UInt8 {
        switch transport {
        case .tcp: 6
        case .udp: 17
        case .sctp: 132
        case .icmpEcho, .icmpUnreachable: isIPv6 ? 58 : 1
        case .none(let proto): proto
        }
    }

    var transportHeader: [UInt8] {
        switch transport {
        case .tcp(let sport, let dport, let flags):
            var header = Self.be(sport) + Self.be(dport) + [0, 0, 0, 1, 0, 0, 0, 0]
            header += [0x50 | UInt8(flags.rawValue >> 8 & 1), UInt8(flags.rawValue & 0xff)] + Self.be(65535) + [0, 0, 0, 0]
            return header
        case .udp(let sport, let dport):
            return Self.be(sport) + Self.be(dport) + Self.be(UInt16(8 + payload)) + [0, 0]
        case .sctp(let sport, let dport):
            return Self.be(sport) + Self.be(dport) + [0, 0, 0, 0] + [0, 0, 0, 0]
        case .icmpEcho(let request, let id):
            let type: UInt8 = isIPv6 ? (request ? 128 : 129) : (request ? 8 : 0)
            return [type, 0, 0, 0] + Self.be(id) + Self.be(1)
        case .icmpUnreachable(let quoted):
            return [isIPv6 ? 1 : 3, isIPv6 ? 4 : 3, 0, 0, 0, 0, 0, 0] + quoted
        case .none:
            return []
        }
    }

    /// This packet as an ICMP error quotes it: its IP header and the first 8 transport bytes.
    var quoted: [UInt8] { Array(bytes.dropFirst(14).prefix((isIPv6 ? 40 : 20) + 8)) }

    var bytes: [UInt8] {
        let l4 = transportHeader + [UInt8](repeating: 0xab, count: payload)
        var frame: [UInt8] = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02]
        if isIPv6 {
            var extensions: [UInt8] = []
            for index in 0..<hopByHopHeaders {
                // next header, length 0 (8 bytes), PadN option filling the rest
                extensions += [index == hopByHopHeaders - 1 ? proto : 0, 0, 1, 4, 0, 0, 0, 0]
            }
            frame += [0x86, 0xdd]
            frame += [0x60, 0, 0, 0] + Self.be(UInt16(extensions.count + l4.count)) + [hopByHopHeaders > 0 ? 0 : proto, 64]
            frame += source.bytes + destination.bytes + extensions
        } else {
            frame += [0x08, 0x00]
            let flagsAndOffset = (moreFragments ? 0x2000 : 0) | fragmentOffset
            frame += [0x45, 0] + Self.be(UInt16(20 + l4.count)) + Self.be(identification) + Self.be(flagsAndOffset)
            frame += [64, proto, 0, 0] + source.bytes + destination.bytes
        }
        return frame + l4
    }

    static func be(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
}
