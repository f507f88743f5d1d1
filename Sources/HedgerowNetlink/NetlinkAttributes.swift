import CLibMNL
import CLibMNLShim

/// One netlink attribute, viewed in place. Valid only while the buffer holding the message is.
struct NetlinkAttribute {
    let pointer: UnsafePointer<nlattr>

    /// The attribute type, without the NLA_F_NESTED / NLA_F_NET_BYTEORDER flag bits.
    var type: UInt16 { mnl_attr_get_type(pointer) }

    var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mnl_attr_get_payload(pointer), count: Int(mnl_attr_get_payload_len(pointer)))
    }

    /// Fixed-size values are read only when the payload is large enough: a malformed attribute
    /// decodes as absent instead of reading past its end.
    var uint8: UInt8? { payload.count >= 1 ? payload.loadUnaligned(as: UInt8.self) : nil }
    var uint32: UInt32? { payload.count >= 4 ? payload.loadUnaligned(as: UInt32.self) : nil }
    var int32: Int32? { payload.count >= 4 ? payload.loadUnaligned(as: Int32.self) : nil }

    var bytes: [UInt8] { Array(payload) }

    /// A string attribute, up to its NUL terminator (or the whole payload when there is none).
    var string: String {
        let text = payload.prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }

    /// The attributes nested inside this one.
    var nested: NestedAttributes { NestedAttributes(nest: pointer) }
}

/// The attributes of a message that follow its `offset`-byte family header (mnl_attr_for_each).
struct MessageAttributes: Sequence {
    let message: UnsafePointer<nlmsghdr>
    let offset: Int

    func makeIterator() -> AnyIterator<NetlinkAttribute> {
        var next = hedgerow_mnl_attr_first(message, offset)
        return AnyIterator {
            guard let current = next else { return nil }
            next = hedgerow_mnl_attr_next(message, current)
            return NetlinkAttribute(pointer: current)
        }
    }
}

/// The attributes nested in one attribute (mnl_attr_for_each_nested).
struct NestedAttributes: Sequence {
    let nest: UnsafePointer<nlattr>

    func makeIterator() -> AnyIterator<NetlinkAttribute> {
        var next = hedgerow_mnl_attr_nested_first(nest)
        return AnyIterator {
            guard let current = next else { return nil }
            next = hedgerow_mnl_attr_nested_next(nest, current)
            return NetlinkAttribute(pointer: current)
        }
    }
}
