import CLibMNL
import Glibc

extension Link {
    /// Decodes an RTM_NEWLINK or RTM_DELLINK message (header, `ifinfomsg`, attributes) from
    /// `bytes`. Unknown attributes are ignored; malformed fixed-size ones decode as absent.
    /// Throws `NetlinkError` (EBADMSG) for a truncated message, a message of another type, or one
    /// without a name.
    public init(netlinkMessage bytes: UnsafeRawBufferPointer) throws(NetlinkError) {
        self = try NetlinkMessage.withMessage(in: bytes, operation: Link.decodeOperation) {
            (message) throws(NetlinkError) in try Link(message: message)
        }
    }

    static let decodeOperation = "decode link message (RTM_NEWLINK/RTM_DELLINK)"

    init(message: NetlinkMessage) throws(NetlinkError) {
        guard message.type == UInt16(RTM_NEWLINK) || message.type == UInt16(RTM_DELLINK) else {
            throw NetlinkError(operation: Link.decodeOperation, errno: EBADMSG)
        }
        let info = try message.familyHeader(ifinfomsg.self, operation: Link.decodeOperation)
        var name: String?
        var link = Link(index: info.ifi_index, name: "", flags: info.ifi_flags)
        for attribute in message.attributes(after: ifinfomsg.self) {
            switch Int(attribute.type) {
            case Int(IFLA_IFNAME): name = attribute.string
            case Int(IFLA_MTU): link.mtu = attribute.uint32 ?? 0
            case Int(IFLA_ADDRESS) where attribute.payload.count > 0:
                link.hardwareAddress = HardwareAddress(attribute.bytes)
            case Int(IFLA_LINK): link.linkIndex = attribute.int32.flatMap { $0 > 0 ? $0 : nil }
            case Int(IFLA_LINK_NETNSID): link.linkNetnsID = attribute.int32
            case Int(IFLA_MASTER): link.masterIndex = attribute.int32
            case Int(IFLA_LINKINFO): link.kind = Link.kind(in: attribute)
            default: continue
            }
        }
        guard let name else { throw NetlinkError(operation: Link.decodeOperation, errno: EBADMSG) }
        link.name = name
        self = link
    }

    /// IFLA_INFO_KIND inside the IFLA_LINKINFO nest.
    private static func kind(in linkInfo: NetlinkAttribute) -> String? {
        linkInfo.nested.first { Int($0.type) == Int(IFLA_INFO_KIND) }?.string
    }
}
