import Glibc

/// A network interface as rtnetlink describes it (one RTM_NEWLINK message).
public struct Link: Sendable, Hashable, CustomStringConvertible {
    /// The interface index (`ifi_index`), unique within its network namespace.
    public var index: Int32
    /// The interface name (IFLA_IFNAME), at most 15 bytes.
    public var name: String
    /// The driver kind from IFLA_LINKINFO/IFLA_INFO_KIND ("veth", "bridge", "dummy", ...); nil
    /// for links without one (loopback, most physical devices).
    public var kind: String?
    /// The raw IFF_* flags (`ifi_flags`).
    public var flags: UInt32
    /// IFLA_MTU, 0 when absent.
    public var mtu: UInt32
    /// IFLA_ADDRESS: the link-layer (MAC) address; nil when the link has none.
    public var hardwareAddress: HardwareAddress?
    /// IFLA_LINK: the index of the link this one is bound to. For a veth, its peer's index, in
    /// the namespace named by `linkNetnsID` when that is set, else in this one. Nil as well
    /// while the kernel reports 0, as it does for the first end of a veth pair being created.
    public var linkIndex: Int32?
    /// IFLA_LINK_NETNSID: the id, local to this namespace, of the namespace holding the peer.
    public var linkNetnsID: Int32?
    /// IFLA_MASTER: the index of the bridge or bond this link is enslaved to.
    public var masterIndex: Int32?

    public init(
        index: Int32, name: String, kind: String? = nil, flags: UInt32 = 0, mtu: UInt32 = 0,
        hardwareAddress: HardwareAddress? = nil, linkIndex: Int32? = nil, linkNetnsID: Int32? = nil,
        masterIndex: Int32? = nil
    ) {
        self.index = index
        self.name = name
        self.kind = kind
        self.flags = flags
        self.mtu = mtu
        self.hardwareAddress = hardwareAddress
        self.linkIndex = linkIndex
        self.linkNetnsID = linkNetnsID
        self.masterIndex = masterIndex
    }

    /// IFF_UP: administratively up.
    public var isUp: Bool { flags & UInt32(IFF_UP) != 0 }
    /// IFF_RUNNING: operationally up (carrier present).
    public var isRunning: Bool { flags & UInt32(IFF_RUNNING) != 0 }
    /// IFF_LOOPBACK.
    public var isLoopback: Bool { flags & UInt32(IFF_LOOPBACK) != 0 }

    public var description: String {
        var text = "\(index): \(name)"
        if let kind { text += " (\(kind))" }
        text += isUp ? " up" : " down"
        if let linkIndex { text += " link \(linkIndex)" }
        if let linkNetnsID { text += " netnsid \(linkNetnsID)" }
        return text
    }
}

/// A link-layer address, e.g. a 6-byte Ethernet MAC.
public struct HardwareAddress: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Lower-case hex octets separated by colons: "02:42:ac:11:00:02".
    public var description: String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined(separator: ":")
    }
}
