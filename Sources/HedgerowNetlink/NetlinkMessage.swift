import Glibc
import CLibMNL

/// One received netlink message, viewed in place: its header, its fixed family header (e.g.
/// `ifinfomsg`) and its attributes. Valid only while the buffer holding it is.
struct NetlinkMessage {
    let header: UnsafePointer<nlmsghdr>

    var type: UInt16 { header.pointee.nlmsg_type }

    /// Reads the family header that starts the payload, or throws when the message is too short
    /// to hold one (`operation` names what was being decoded, for the error).
    func familyHeader<Header>(_: Header.Type, operation: String) throws(NetlinkError) -> Header {
        guard mnl_nlmsg_get_payload_len(header) >= MemoryLayout<Header>.size else {
            throw NetlinkError(operation: operation, errno: EBADMSG)
        }
        return UnsafeRawPointer(mnl_nlmsg_get_payload(header)).loadUnaligned(as: Header.self)
    }

    /// The attributes after a family header of type `Header`.
    func attributes<Header>(after _: Header.Type) -> MessageAttributes {
        MessageAttributes(message: header, offset: MemoryLayout<Header>.size)
    }

    /// Calls `body` with a view of the message in `bytes`, after checking that `bytes` holds a
    /// whole message (a length that fits). Copies to aligned memory when `bytes` is not 4-byte
    /// aligned, since netlink headers are read as C structs.
    static func withMessage<Result>(
        in bytes: UnsafeRawBufferPointer, operation: String,
        _ body: (NetlinkMessage) throws(NetlinkError) -> Result
    ) throws(NetlinkError) -> Result {
        guard let base = bytes.baseAddress, bytes.count >= MemoryLayout<nlmsghdr>.size else {
            throw NetlinkError(operation: operation, errno: EBADMSG)
        }
        if Int(bitPattern: base) % MemoryLayout<nlmsghdr>.alignment != 0 {
            let aligned = UnsafeMutableRawBufferPointer.allocate(
                byteCount: bytes.count, alignment: MemoryLayout<nlmsghdr>.alignment)
            defer { aligned.deallocate() }
            aligned.copyMemory(from: bytes)
            return try withMessage(in: UnsafeRawBufferPointer(aligned), operation: operation, body)
        }
        let header = base.assumingMemoryBound(to: nlmsghdr.self)
        guard mnl_nlmsg_ok(header, Int32(clamping: bytes.count)) else {
            throw NetlinkError(operation: operation, errno: EBADMSG)
        }
        return try body(NetlinkMessage(header: header))
    }
}
