import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// Node-level service load balancing (bpf/uplink.bpf.c) on the node's uplink device: NodePort,
/// external IP and LoadBalancer IP frontends for traffic from outside the node, with backends
/// chosen by Maglev and translated per packet through `hedgerow_nat4`.
///
/// The object shares the service maps with `ServiceDatapath` (the same pin directory, maps
/// pinned by name), so one `ServiceMapSync` feeds both load balancers; it adds the NAT table,
/// the node's addresses and its settings, pinned the same way. Filters sit on the uplink at
/// the endpoints' priority and handle, and are adopted by a restarted agent only when their
/// program has the same tag and is bound to the same pinned maps (docs/ARCHITECTURE.md,
/// decision 21). Nothing detaches on release: call `detach(interfaceIndex:)`.
public final class UplinkDatapath: Sendable {
    public let pinDirectory: String
    /// M of the Maglev tables the programs index; must equal the tables' (ServiceDatapath's).
    public let maglev: MaglevConfiguration

    private let object: BPFObject
    private let ingress: BPFProgram
    private let egress: BPFProgram
    private let ingressIdentity: EndpointDatapath.ProgramIdentity
    private let egressIdentity: EndpointDatapath.ProgramIdentity
    private let pinnedMapIDs: Set<UInt32>
    private let config: BPFMap<UInt32, hedgerow_uplink_config>
    private let nodeAddresses: BPFMap<hedgerow_node_addr_key, UInt32>
    private let nat: ServiceNATTable
    private let counters: DatapathCounters

    public init(objectDirectory: String, pinDirectory: String, maglev: MaglevConfiguration = .default) throws {
        self.pinDirectory = pinDirectory
        self.maglev = maglev
        let object = try BPFObject(path: "\(objectDirectory)/uplink.bpf.o", options: .init(pinRoot: pinDirectory))
        self.object = object
        ingress = try object.program(named: "uplink_ingress")
        egress = try object.program(named: "uplink_egress")
        let pinned = Set(try object.pinPaths().keys.map { try object.map(named: $0).info.id })
        pinnedMapIDs = pinned
        ingressIdentity = try EndpointDatapath.ProgramIdentity(ingress.info(), pinnedMapIDs: pinned)
        egressIdentity = try EndpointDatapath.ProgramIdentity(egress.info(), pinnedMapIDs: pinned)
        config = try BPFMap(object.map(named: "hedgerow_uplink_config"))
        nodeAddresses = try BPFMap(object.map(named: "hedgerow_node_addrs"))
        nat = ServiceNATTable(map: try BPFMap(object.map(named: "hedgerow_nat4")))
        counters = DatapathCounters(
            drops: try BPFPerCPUMap(object.map(named: "hedgerow_drops")),
            lost: try BPFPerCPUMap(object.map(named: "hedgerow_lost_events")))
        var settings = try config.lookup(0) ?? hedgerow_uplink_config()
        settings.maglev_table_size = UInt32(maglev.tableSize)
        try config.update(0, settings)
    }

    // MARK: Attaching

    /// Attaches the programs to both tc hooks of the interface (the node's uplink).
    @discardableResult
    public func attach(interfaceIndex: Int32) throws -> InstallOutcome {
        let outcomes = try [
            attach(ingress, identity: ingressIdentity, to: TCHook(ifindex: interfaceIndex, direction: .ingress)),
            attach(egress, identity: egressIdentity, to: TCHook(ifindex: interfaceIndex, direction: .egress)),
        ]
        if outcomes.allSatisfy({ $0 == .adopted }) { return .adopted }
        if outcomes.allSatisfy({ $0 == .attached }) { return .attached }
        return outcomes.contains(.replaced) ? .replaced : .attached
    }

    /// Removes the filters from the interface; false when none was there.
    @discardableResult
    public func detach(interfaceIndex: Int32) throws -> Bool {
        var detached = false
        // Ingress first: no new translation starts whose replies egress could no longer rewrite.
        for direction in [TCHook.Direction.ingress, .egress] {
            let hook = TCHook(ifindex: interfaceIndex, direction: direction)
            if let attachment = try hook.existingAttachment(priority: EndpointDatapath.filterPriority, handle: EndpointDatapath.filterHandle) {
                try attachment.detach()
                detached = true
            }
        }
        return detached
    }

    private func attach(_ program: BPFProgram, identity: EndpointDatapath.ProgramIdentity, to hook: TCHook) throws -> InstallOutcome {
        let priority = EndpointDatapath.filterPriority, handle = EndpointDatapath.filterHandle
        let existing = try hook.query(priority: priority, handle: handle)
        if let existing, try EndpointDatapath.ProgramIdentity(BPFProgramInfo(id: existing), pinnedMapIDs: pinnedMapIDs) == identity {
            return .adopted
        }
        let attachment = try hook.attach(program, priority: priority, handle: handle, replace: true)
        attachment.forget()  // the filter belongs to the interface from now on
        return existing == nil ? .attached : .replaced
    }

    // MARK: Node addresses and settings

    /// Makes the node's addresses (NodePort frontends answer on each) exactly `addresses`, and
    /// the source of SNAT towards backends on other nodes `snatIPv4` (nil: the node address the
    /// client named; external and LoadBalancer IPs then need one, else they drop as "no mapping
    /// for NAT").
    public func setNodeAddresses(_ addresses: [IPAddress], snatIPv4: IPAddress? = nil) throws {
        if let snatIPv4, snatIPv4.family != .ipv4 {
            throw ServiceDatapathError("SNAT address \(snatIPv4) is not IPv4 (hedgerow_uplink_config.snat_ipv4)")
        }
        let wanted = Set(addresses.map { ABIAddress.value(ABIAddress.bytes($0)) })
        for key in try nodeAddresses.keys() where !wanted.contains(ABIAddress.value(key.addr)) {
            _ = try nodeAddresses.delete(key)
        }
        for address in addresses { try nodeAddresses.update(hedgerow_node_addr_key(addr: ABIAddress.bytes(address)), 0) }
        var settings = try config.lookup(0) ?? hedgerow_uplink_config()
        if case .v4(let value) = snatIPv4 { settings.snat_ipv4 = value.bigEndian } else { settings.snat_ipv4 = 0 }
        try config.update(0, settings)
    }

    /// The node addresses the programs answer NodePorts on.
    public func nodeAddressList() throws -> [IPAddress] {
        try nodeAddresses.keys().map { ABIAddress.address($0.addr) }.sorted()
    }

    /// Limits the SNAT source ports (host order, inclusive); nil restores the default
    /// (HEDGEROW_SNAT_PORT_MIN...MAX, above the kernel's default ephemeral range).
    public func setSNATPorts(_ ports: ClosedRange<UInt16>?) throws {
        var settings = try config.lookup(0) ?? hedgerow_uplink_config()
        settings.snat_port_min = ports?.lowerBound ?? 0
        settings.snat_port_max = ports?.upperBound ?? 0
        try config.update(0, settings)
    }

    // MARK: Inspection

    /// The NAT entries of translated connections (both directions, every hook).
    public func natEntries() throws -> [ServiceNATEntry] { try nat.entries() }

    /// Dropped packets by reason and direction (shared with the endpoint programs' counters).
    public func dropCounts() throws -> [DropCount] { try counters.dropCounts() }

    /// Pinned maps this load replaced because their layout changed.
    public var replacedPins: [PinnedMapMismatch] { object.replacedPins }
}
