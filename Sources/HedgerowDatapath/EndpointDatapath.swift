import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// The endpoint programs (bpf/endpoint.bpf.c) and their pinned maps: endpoints, traffic and
/// drop counters, the ipcache, the policy map, conntrack, the flow event ring buffer.
///
/// Maps are pinned under the node's pin directory, so a restarted agent opens the same maps and
/// the filters left on the interfaces keep working (and enforcing) throughout. Filters are
/// kernel state tied to the interface, not to this object: nothing here detaches on release
/// (see `TCAttachment.forget`).
public final class EndpointDatapath: Sendable {
    public static let maxEndpoints = UInt32(HEDGEROW_MAX_ENDPOINTS)
    /// Where our filters sit on an endpoint's hooks. A distinct handle keeps them apart from
    /// filters other software may put on the same veth at the same priority.
    static let filterPriority: UInt16 = 1
    static let filterHandle: UInt32 = 0x4852

    /// Writes compiled endpoint policies (entries and enforcement) by diff.
    public let policy: PolicyMapSync
    /// Writes the IP prefix -> identity table by diff.
    public let ipcache: IPCacheSync

    private let object: BPFObject
    let fromEndpoint: BPFProgram  // tc ingress of the host veth: traffic leaving the pod
    let toEndpoint: BPFProgram  // tc egress of the host veth: traffic entering the pod
    private let pinnedMapIDs: Set<UInt32>
    private let fromEndpointIdentity: ProgramIdentity
    private let toEndpointIdentity: ProgramIdentity
    private let endpoints: EndpointTable
    private let traffic: BPFPerCPUMap<UInt32, hedgerow_traffic>
    private let counters: DatapathCounters
    private let conntrack: ConntrackTable
    private let config: BPFMap<UInt32, hedgerow_config>
    private let clock: DatapathClock
    private let events: BPFMapHandle

    public init(objectDirectory: String, pinDirectory: String) throws {
        // A pinned map whose layout this object no longer declares is replaced by an empty one
        // (`replacedPins` says which); the agent refills maps from its state on every start.
        object = try BPFObject(
            path: "\(objectDirectory)/endpoint.bpf.o", options: .init(pinRoot: pinDirectory, incompatiblePins: .replace))
        fromEndpoint = try object.program(named: "from_endpoint")
        toEndpoint = try object.program(named: "to_endpoint")
        let loaded = object
        let pinned = Set(try loaded.pinPaths().keys.map { try loaded.map(named: $0).info.id })
        pinnedMapIDs = pinned
        fromEndpointIdentity = try ProgramIdentity(fromEndpoint.info(), pinnedMapIDs: pinned)
        toEndpointIdentity = try ProgramIdentity(toEndpoint.info(), pinnedMapIDs: pinned)
        endpoints = EndpointTable(try BPFMap(object.map(named: "hedgerow_endpoints")))
        traffic = try BPFPerCPUMap(object.map(named: "hedgerow_traffic"))
        counters = DatapathCounters(
            drops: try BPFPerCPUMap(object.map(named: "hedgerow_drops")),
            lost: try BPFPerCPUMap(object.map(named: "hedgerow_lost_events")))
        conntrack = ConntrackTable(ipv4: try BPFMap(object.map(named: "hedgerow_ct4")), ipv6: try BPFMap(object.map(named: "hedgerow_ct6")))
        config = try BPFMap(object.map(named: "hedgerow_config"))
        clock = DatapathClock(program: try object.program(named: "datapath_clock"), map: try BPFMap(object.map(named: "hedgerow_clock")))
        events = try object.map(named: "hedgerow_events")
        let barrier = SyncBarrier(outer: try BPFMap(object.map(named: "hedgerow_sync_barrier")),
                                  slot: try object.map(named: "hedgerow_barrier_slot"))
        policy = try PolicyMapSync(map: try BPFMap(object.map(named: "hedgerow_policy")), endpoints: endpoints, barrier: barrier)
        ipcache = try IPCacheSync(map: try BPFMap(object.map(named: "hedgerow_ipcache")))
    }

    // MARK: Endpoints

    /// Makes the endpoint's map entry and filters current. The entry is written before any
    /// filter runs; on failure, whatever this call added is removed again. A reinstall keeps the
    /// entry's policy flags and revision; a new entry takes the flags of a policy applied before
    /// it (else none: the endpoint allows everything until its policy is applied).
    @discardableResult
    public func install(_ endpoint: DatapathEndpoint) throws -> InstallOutcome {
        let previous = try installEntry(endpoint)
        do {
            let outcomes = try [
                attach(fromEndpoint, identity: fromEndpointIdentity, to: TCHook(ifindex: endpoint.interfaceIndex, direction: .ingress)),
                attach(toEndpoint, identity: toEndpointIdentity, to: TCHook(ifindex: endpoint.interfaceIndex, direction: .egress)),
            ]
            if outcomes.allSatisfy({ $0 == .adopted }) { return .adopted }
            return outcomes.contains(.replaced) ? .replaced : .attached
        } catch {
            _ = try? endpoints.locked { _ in
                if let previous { try endpoints.write(endpoint.interfaceIndex, previous) } else { try endpoints.delete(endpoint.interfaceIndex) }
            }
            throw error
        }
    }

    /// Writes the endpoint's entry (keeping the policy part of an existing one, or taking the
    /// flags of a policy applied before the install); returns the entry it replaced.
    func installEntry(_ endpoint: DatapathEndpoint) throws -> hedgerow_endpoint_info? {
        try endpoints.locked { table -> hedgerow_endpoint_info? in
            let previous = try endpoints.lookup(endpoint.interfaceIndex)
            let policyWord = previous.flatMap { $0.endpoint_id == endpoint.id ? EndpointFlagsWord.policyPart($0.flags) : nil }
                ?? table.pendingPolicyWords.removeValue(forKey: endpoint.id)
                ?? EndpointFlagsWord.compose(active: false, policy: [], generation: 0, revision: EndpointFlagsWord.randomRevision())
            var info = Self.info(for: endpoint)
            info.flags |= policyWord
            try endpoints.write(endpoint.interfaceIndex, info)
            return previous
        }
    }

    /// Detaches the filters (when the interface still exists), removes the map entry, the
    /// endpoint's policy entries and connections, and clears its counters, so a later endpoint
    /// with the same id starts from zero.
    public func remove(endpointID: UInt32, interfaceIndex: Int32, interfaceExists: Bool) throws {
        if interfaceExists {
            for direction in [TCHook.Direction.ingress, .egress] {
                try TCHook(ifindex: interfaceIndex, direction: direction)
                    .existingAttachment(priority: Self.filterPriority, handle: Self.filterHandle)?.detach()
            }
        }
        try removeEntry(interfaceIndex: interfaceIndex)
        try policy.remove(endpointID: endpointID)
        _ = try conntrack.purge(endpointID: endpointID)
        for slot in Self.trafficSlots(endpointID) {
            try traffic.update(slot, allCPUs: hedgerow_traffic())
        }
    }

    public func removeEntry(interfaceIndex: Int32) throws {
        _ = try endpoints.locked { _ in try endpoints.delete(interfaceIndex) }
    }

    /// Interfaces that have an endpoint map entry (to find entries no endpoint owns any more).
    public func installedInterfaceIndexes() throws -> [Int32] {
        try endpoints.map.keys().map { Int32(bitPattern: $0.ifindex) }
    }

    /// Packets and bytes in each direction, summed over CPUs.
    public func traffic(endpointID: UInt32) throws -> EndpointTraffic {
        let slots = Self.trafficSlots(endpointID)
        func sum(_ slot: UInt32) throws -> TrafficCounters {
            let perCPU = try traffic.lookup(slot) ?? []
            return perCPU.reduce(into: TrafficCounters()) { total, value in
                total.packets += value.packets
                total.bytes += value.bytes
            }
        }
        return EndpointTraffic(egress: try sum(slots[0]), ingress: try sum(slots[1]))
    }

    // MARK: Settings, counters, events, connections

    /// Writes the programs' settings (aggregation level, conntrack lifetimes).
    public func configure(_ settings: DatapathSettings) throws {
        try config.update(0, settings.abi(ticksPerSecond: clock.ticksPerSecond()))
    }

    /// The settings the programs use now.
    public func settings() throws -> DatapathSettings {
        DatapathSettings(try config.lookup(0) ?? hedgerow_config(), ticksPerSecond: try clock.ticksPerSecond())
    }

    /// Dropped packets by reason and direction (non-zero ones), summed over CPUs.
    public func dropCounts() throws -> [DropCount] { try counters.dropCounts() }

    /// Flow events the programs could not write because the ring buffer was full, summed over CPUs.
    public func lostEvents() throws -> UInt64 { try counters.lostEventsPerCPU().reduce(0, &+) }

    /// The same, per CPU (index = CPU number), as Hubble's lost events carry a CPU.
    public func lostEventsPerCPU() throws -> [UInt64] { try counters.lostEventsPerCPU() }

    /// Starts reading flow events. One reader at a time: the ring buffer hands each record out once.
    /// The programs wake the reader only once 64 KiB are pending, so at low rates it looks every
    /// `pollInterval`: the longest an event waits.
    public func flowEvents(bufferCapacity: Int = 65_536, pollInterval: Duration = .milliseconds(50)) throws -> FlowEvents {
        FlowEvents(ring: try BPFRingBuffer(events, bufferCapacity: bufferCapacity, pollTimeout: pollInterval))
    }

    /// Connections the datapath tracks, for one endpoint or all.
    public func connections(endpointID: UInt32? = nil) throws -> [TrackedConnection] {
        try conntrack.connections(endpointID: endpointID, clock: clock)
    }

    /// Deletes expired conntrack entries; returns how many.
    @discardableResult
    public func purgeExpiredConnections() throws -> Int {
        let now = try clock.now().ticks
        return try conntrack.purge { entry in entry.expires <= now }
    }

    // MARK: Helpers

    /// Pinned maps this load replaced because their layout changed (their old contents are gone).
    public var replacedPins: [PinnedMapMismatch] { object.replacedPins }

    /// What makes a filter left by an earlier run the same as ours: the same instructions (tag)
    /// bound to the same pinned maps. The tag alone ignores which maps a program uses, so a
    /// program of the same source still bound to a pinned map that was since replaced must not
    /// count as ours. (Unpinned maps, such as global data, are new in every load.)
    struct ProgramIdentity: Equatable {
        let tag: [UInt8]
        let pinnedMapIDs: Set<UInt32>
        init(_ info: BPFProgramInfo, pinnedMapIDs: Set<UInt32>) {
            tag = info.tag
            self.pinnedMapIDs = Set(info.mapIDs).intersection(pinnedMapIDs)
        }
    }

    private func attach(_ program: BPFProgram, identity: ProgramIdentity, to hook: TCHook) throws -> InstallOutcome {
        let existing = try hook.query(priority: Self.filterPriority, handle: Self.filterHandle)
        if let existing, try ProgramIdentity(BPFProgramInfo(id: existing), pinnedMapIDs: pinnedMapIDs) == identity {
            return .adopted
        }
        let attachment = try hook.attach(program, priority: Self.filterPriority, handle: Self.filterHandle, replace: true)
        // The filter belongs to the interface from now on, not to this process.
        attachment.forget()
        return existing == nil ? .attached : .replaced
    }

    /// Index of the endpoint's counters in hedgerow_traffic: egress first, then ingress.
    static func trafficSlots(_ endpointID: UInt32) -> [UInt32] {
        let directions = UInt32(HEDGEROW_DIR_COUNT.rawValue)
        return [
            endpointID * directions + UInt32(HEDGEROW_DIR_EGRESS.rawValue),
            endpointID * directions + UInt32(HEDGEROW_DIR_INGRESS.rawValue),
        ]
    }

    /// The entry for `endpoint` with only the active flag; install adds the policy bits.
    static func info(for endpoint: DatapathEndpoint) -> hedgerow_endpoint_info {
        var info = hedgerow_endpoint_info()
        info.endpoint_id = endpoint.id
        info.identity = endpoint.identity
        info.flags = HEDGEROW_EP_F_ACTIVE.rawValue
        for address in endpoint.addresses.compactMap(IPAddress.init) {
            switch address {
            case .v4(let value): info.ipv4 = value.bigEndian
            case .v6:
                withUnsafeMutableBytes(of: &info.ipv6) { $0.copyBytes(from: address.bytes) }
            }
        }
        return info
    }
}
