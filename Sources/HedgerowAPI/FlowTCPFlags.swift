import HedgerowCore

/// Hubble's TCP flags message from and to the flow model's option set (agent and hflow both need it).
extension Flow_TCPFlags {
    public init(_ flags: TCPFlags) {
        self.init()
        fin = flags.contains(.fin)
        syn = flags.contains(.syn)
        rst = flags.contains(.rst)
        psh = flags.contains(.psh)
        ack = flags.contains(.ack)
        urg = flags.contains(.urg)
        ece = flags.contains(.ece)
        cwr = flags.contains(.cwr)
        ns = flags.contains(.ns)
    }

    public var core: TCPFlags {
        var flags: TCPFlags = []
        if fin { flags.insert(.fin) }
        if syn { flags.insert(.syn) }
        if rst { flags.insert(.rst) }
        if psh { flags.insert(.psh) }
        if ack { flags.insert(.ack) }
        if urg { flags.insert(.urg) }
        if ece { flags.insert(.ece) }
        if cwr { flags.insert(.cwr) }
        if ns { flags.insert(.ns) }
        return flags
    }
}
