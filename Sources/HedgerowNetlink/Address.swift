import Glibc

/// An IP address assigned to a link (one RTM_NEWADDR message).
public struct Address: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable, CustomStringConvertible {
        case ipv4, ipv6

        /// The AF_* constant for this family.
        public var addressFamily: Int32 { self == .ipv4 ? AF_INET : AF_INET6 }
        /// The size of an address of this family in bytes.
        public var byteCount: Int { self == .ipv4 ? 4 : 16 }
        public var description: String { self == .ipv4 ? "inet" : "inet6" }

        init?(addressFamily: Int32) {
            switch addressFamily {
            case AF_INET: self = .ipv4
            case AF_INET6: self = .ipv6
            default: return nil
            }
        }
    }

    /// The index of the link the address is on (`ifa_index`).
    public var linkIndex: Int32
    public var family: Family
    /// The link's own address in network byte order, 4 or 16 bytes: IFA_LOCAL when present
    /// (it differs from IFA_ADDRESS only on point-to-point links, where IFA_ADDRESS is the
    /// peer), else IFA_ADDRESS.
    public var bytes: [UInt8]
    /// The prefix length (`ifa_prefixlen`): 24 for 10.0.0.1/24.
    public var prefixLength: UInt8
    /// The scope (`ifa_scope`): RT_SCOPE_UNIVERSE 0, RT_SCOPE_LINK 253, RT_SCOPE_HOST 254.
    public var scope: UInt8
    /// IFA_LABEL (IPv4 only), e.g. "eth0" or an alias "eth0:1".
    public var label: String?

    public init(linkIndex: Int32, family: Family, bytes: [UInt8], prefixLength: UInt8, scope: UInt8 = 0, label: String? = nil) {
        self.linkIndex = linkIndex
        self.family = family
        self.bytes = bytes
        self.prefixLength = prefixLength
        self.scope = scope
        self.label = label
    }

    /// The address in presentation form: "10.0.0.1", "fe80::1".
    public var address: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let converted = bytes.withUnsafeBytes { raw in
            inet_ntop(family.addressFamily, raw.baseAddress, &text, socklen_t(text.count))
        }
        guard converted != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "10.0.0.1/24".
    public var description: String { "\(address)/\(prefixLength)" }
}
