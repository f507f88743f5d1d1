import CLibMNL
import Glibc

extension NetlinkSocket {
    /// Every link in the socket's namespace (an RTM_GETLINK dump).
    public func links() throws(NetlinkError) -> [Link] {
        try dump("list links (RTM_GETLINK dump)", type: Int(RTM_GETLINK), build: Self.putLinkRequest(index: 0, name: nil)) {
            (message) throws(NetlinkError) in try Link(message: message)
        }
    }

    /// The link called `name`, or nil when there is none.
    public func link(named name: String) throws(NetlinkError) -> Link? {
        // Longer names cannot exist, and the kernel would reject them as invalid rather than absent.
        guard !name.isEmpty, name.utf8.count < Int(IF_NAMESIZE) else { return nil }
        return try getLink("get link '\(name)' (RTM_GETLINK)", index: 0, name: name)
    }

    /// The link with interface index `index`, or nil when there is none.
    public func link(index: Int32) throws(NetlinkError) -> Link? {
        guard index > 0 else { return nil }
        return try getLink("get link \(index) (RTM_GETLINK)", index: index, name: nil)
    }

    /// Sets link `index` administratively up (`ip link set … up`). Throws a `NetlinkError`
    /// whose `isNotFound` is true when there is no such link.
    public func setLinkUp(index: Int32) throws(NetlinkError) {
        try setLinkFlags(index: index, up: true)
    }

    /// Sets link `index` administratively down.
    public func setLinkDown(index: Int32) throws(NetlinkError) {
        try setLinkFlags(index: index, up: false)
    }

    /// Deletes link `index` (both ends, for a veth). Throws a `NetlinkError` whose `isNotFound`
    /// is true when there is no such link.
    public func deleteLink(index: Int32) throws(NetlinkError) {
        try perform(
            "delete link \(index) (RTM_DELLINK)", type: Int(RTM_DELLINK), flags: NLM_F_REQUEST | NLM_F_ACK,
            build: Self.putLinkRequest(index: index, name: nil), onMessage: { _ in })
    }

    /// Deletes the link called `name`. Throws a `NetlinkError` whose `isNotFound` is true when
    /// there is no such link.
    public func deleteLink(named name: String) throws(NetlinkError) {
        let operation = "delete link '\(name)' (RTM_DELLINK)"
        guard !name.isEmpty, name.utf8.count < Int(IF_NAMESIZE) else {
            throw NetlinkError(operation: operation, errno: ENODEV)
        }
        try perform(
            operation, type: Int(RTM_DELLINK), flags: NLM_F_REQUEST | NLM_F_ACK,
            build: Self.putLinkRequest(index: 0, name: name), onMessage: { _ in })
    }

    private func getLink(_ operation: String, index: Int32, name: String?) throws(NetlinkError) -> Link? {
        var found: Link?
        do {
            // NLM_F_ACK makes the kernel end the reply with an ACK after the RTM_NEWLINK.
            try perform(
                operation, type: Int(RTM_GETLINK), flags: NLM_F_REQUEST | NLM_F_ACK,
                build: Self.putLinkRequest(index: index, name: name)
            ) { (message) throws(NetlinkError) in
                found = try Link(message: message)
            }
        } catch where error.isNotFound {
            return nil
        }
        return found
    }

    private func setLinkFlags(index: Int32, up: Bool) throws(NetlinkError) {
        let operation = "set link \(index) \(up ? "up" : "down") (RTM_SETLINK)"
        try perform(operation, type: Int(RTM_SETLINK), flags: NLM_F_REQUEST | NLM_F_ACK, build: { header in
            let info = Self.putLinkHeader(header, index: index)
            info.pointee.ifi_change = UInt32(IFF_UP)
            info.pointee.ifi_flags = up ? UInt32(IFF_UP) : 0
        }, onMessage: { _ in })
    }

    /// Builds a link request body: the `ifinfomsg` selecting `index` (0 for none), IFLA_IFNAME
    /// when `name` is given, and IFLA_EXT_MASK asking the kernel to leave out statistics, which
    /// we do not read and which make up much of every link message.
    private static func putLinkRequest(index: Int32, name: String?) -> (UnsafeMutablePointer<nlmsghdr>) -> Void {
        { header in
            _ = putLinkHeader(header, index: index)
            if let name { mnl_attr_put_strz(header, UInt16(IFLA_IFNAME), name) }
            mnl_attr_put_u32(header, UInt16(IFLA_EXT_MASK), UInt32(RTEXT_FILTER_SKIP_STATS))
        }
    }

    private static func putLinkHeader(_ header: UnsafeMutablePointer<nlmsghdr>, index: Int32) -> UnsafeMutablePointer<ifinfomsg> {
        let info = mnl_nlmsg_put_extra_header(header, MemoryLayout<ifinfomsg>.size)!
            .assumingMemoryBound(to: ifinfomsg.self)
        info.pointee.ifi_family = UInt8(AF_UNSPEC)
        info.pointee.ifi_index = index
        return info
    }
}
