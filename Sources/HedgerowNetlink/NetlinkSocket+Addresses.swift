import CLibMNL
import Glibc

extension NetlinkSocket {
    /// The IPv4 and IPv6 addresses in the socket's namespace (an RTM_GETADDR dump), optionally
    /// only those on link `linkIndex` and only those of `family`.
    public func addresses(linkIndex: Int32? = nil, family: Address.Family? = nil) throws(NetlinkError) -> [Address] {
        var operation = "list addresses (RTM_GETADDR dump"
        if let family { operation += " \(family)" }
        if let linkIndex { operation += " on link \(linkIndex)" }
        operation += ")"
        // The kernel filters by family itself; by link only in strict-checking mode, so that
        // filter is applied here.
        let all = try dump(operation, type: Int(RTM_GETADDR), build: { header in
            let info = mnl_nlmsg_put_extra_header(header, MemoryLayout<ifaddrmsg>.size)!
                .assumingMemoryBound(to: ifaddrmsg.self)
            info.pointee.ifa_family = UInt8(family?.addressFamily ?? AF_UNSPEC)
        }, decode: { (message) throws(NetlinkError) in try Address(message: message) })
        guard let linkIndex else { return all }
        return all.filter { $0.linkIndex == linkIndex }
    }
}
