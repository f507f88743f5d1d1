import CLibMNL
import Glibc

extension Address {
    /// Decodes an RTM_NEWADDR or RTM_DELADDR message (header, `ifaddrmsg`, attributes) from
    /// `bytes`. Throws `NetlinkError` (EBADMSG) for a truncated message, a message of another
    /// type, or one with no address of the announced family's size; returns nil for families
    /// other than IPv4 and IPv6.
    public init?(netlinkMessage bytes: UnsafeRawBufferPointer) throws(NetlinkError) {
        let decoded = try NetlinkMessage.withMessage(in: bytes, operation: Address.decodeOperation) {
            (message) throws(NetlinkError) in try Address(message: message)
        }
        guard let decoded else { return nil }
        self = decoded
    }

    static let decodeOperation = "decode address message (RTM_NEWADDR/RTM_DELADDR)"

    init?(message: NetlinkMessage) throws(NetlinkError) {
        guard message.type == UInt16(RTM_NEWADDR) || message.type == UInt16(RTM_DELADDR) else {
            throw NetlinkError(operation: Address.decodeOperation, errno: EBADMSG)
        }
        let info = try message.familyHeader(ifaddrmsg.self, operation: Address.decodeOperation)
        guard let family = Family(addressFamily: Int32(info.ifa_family)) else { return nil }
        var local: [UInt8]?
        var address: [UInt8]?
        var label: String?
        for attribute in message.attributes(after: ifaddrmsg.self) {
            switch Int(attribute.type) {
            case Int(IFA_LOCAL) where attribute.payload.count == family.byteCount: local = attribute.bytes
            case Int(IFA_ADDRESS) where attribute.payload.count == family.byteCount: address = attribute.bytes
            case Int(IFA_LABEL): label = attribute.string
            default: continue
            }
        }
        guard let bytes = local ?? address else {
            throw NetlinkError(operation: Address.decodeOperation, errno: EBADMSG)
        }
        self.init(
            linkIndex: Int32(bitPattern: info.ifa_index), family: family, bytes: bytes,
            prefixLength: info.ifa_prefixlen, scope: info.ifa_scope, label: label)
    }
}
