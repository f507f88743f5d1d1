/// Builds netlink messages byte by byte, the way the kernel lays them out, without libmnl: the
/// decoders are checked against an independent encoding. Numbers are the kernel's ABI values.
enum MessageBytes {
    // Message types and flags (linux/netlink.h, linux/rtnetlink.h).
    static let error: UInt16 = 2, done: UInt16 = 3
    static let newLink: UInt16 = 16, deleteLink: UInt16 = 17, newAddress: UInt16 = 20
    static let flagMulti: UInt16 = 0x2, flagCapped: UInt16 = 0x100, flagAckTLVs: UInt16 = 0x200
    // Attribute types (linux/if_link.h, linux/if_addr.h, linux/netlink.h).
    static let iflaAddress: UInt16 = 1, iflaName: UInt16 = 3, iflaMTU: UInt16 = 4, iflaLink: UInt16 = 5
    static let iflaMaster: UInt16 = 10, iflaLinkInfo: UInt16 = 18, iflaLinkNetnsID: UInt16 = 37
    static let iflaInfoKind: UInt16 = 1
    static let ifaAddress: UInt16 = 1, ifaLocal: UInt16 = 2, ifaLabel: UInt16 = 3
    static let errorAttributeMessage: UInt16 = 1
    static let nestedFlag: UInt16 = 0x8000
    static let afInet: UInt8 = 2, afInet6: UInt8 = 10, afPacket: UInt8 = 17

    /// A 16-byte nlmsghdr followed by `body` (which should already be 4-byte padded).
    static func message(type: UInt16, flags: UInt16 = 0, sequence: UInt32 = 0, portID: UInt32 = 0, body: [UInt8]) -> [UInt8] {
        value(UInt32(16 + body.count)) + value(type) + value(flags) + value(sequence) + value(portID) + body
    }

    /// An nlattr: 4-byte header, payload, padding to 4 bytes.
    static func attribute(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let bytes = value(UInt16(4 + payload.count)) + value(type) + payload
        return bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    /// struct ifinfomsg (16 bytes).
    static func linkInfo(index: Int32, flags: UInt32, deviceType: UInt16 = 1) -> [UInt8] {
        [0, 0] + value(deviceType) + value(index) + value(flags) + value(UInt32(0))
    }

    /// struct ifaddrmsg (8 bytes).
    static func addressInfo(family: UInt8, prefixLength: UInt8, scope: UInt8 = 0, index: UInt32) -> [UInt8] {
        [family, prefixLength, 0, scope] + value(index)
    }

    /// struct nlmsgerr with a capped echo of the request header (20 bytes).
    static func errorBody(_ error: Int32, requestSequence: UInt32) -> [UInt8] {
        value(error) + message(type: newLink, sequence: requestSequence, body: []).prefix(16)
    }

    static func string(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }

    /// Host byte order, as netlink uses.
    static func value<T: FixedWidthInteger>(_ number: T) -> [UInt8] { withUnsafeBytes(of: number) { Array($0) } }
}
