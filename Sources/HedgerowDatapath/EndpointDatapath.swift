import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// One endpoint as the datapath needs it.
public struct DatapathEndpoint: Sendable, Equatable {
    public var id: UInt32
    public var interfaceIndex: Int32
    public var addresses: [String]
    public var identity: UInt32

    public init(id: UInt32, interfaceIndex: Int32, addresses: [String], identity: UInt32 = 0) {
        self.id = id
        self.interfaceIndex = interfaceIndex
        self.addresses = addresses
        self.identity = identity
    }
}

public struct TrafficCounters: Sendable, Equatable {
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public init(packets: UInt64 = 0, bytes: UInt64 = 0) { self.packets = packets; self.bytes = bytes }
}

/// Traffic of one endpoint, seen from the pod: egress leaves it, ingress enters it.
public struct EndpointTraffic: Sendable, Equatable {
    public var egress = TrafficCounters()
    public var ingress = TrafficCounters()
    public init(egress: TrafficCounters = .init(), ingress: TrafficCounters = .init()) {
        self.egress = egress
        self.ingress = ingress
    }
}

/// What `install` found on the interface.
public enum InstallOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Nothing was attached: the programs are now.
    case attached
    /// A previous agent's filters run the same code against the same pinned maps: left as they are.
    case adopted
    /// Filters were there but ran other code (an upgrade): replaced atomically.
    case replaced

    public var description: String {
        switch self {
        case .attached: "attached"
        case .adopted: "adopted the running datapath"
        case .replaced: "replaced the previous programs"
        }
    }
}

/// The endpoint programs (bpf/endpoint.bpf.c) and their pinned maps.
///
/// Maps are pinned under the node's pin directory, so a restarted agent opens the same maps and
/// the filters left on the interfaces keep working throughout. Filters are kernel state tied to
/// the interface, not to this object: nothing here detaches on release (see `TCAttachment.forget`).
public final class EndpointDatapath: Sendable {
    public static let maxEndpoints = UInt32(HEDGEROW_MAX_ENDPOINTS)
    /// Where our filters sit on an endpoint's hooks. A distinct handle keeps them apart from
    /// filters other software may put on the same veth at the same priority.
    static let filterPriority: UInt16 = 1
    static let filterHandle: UInt32 = 0x4852

    private let object: BPFObject
    private let fromEndpoint: BPFProgram  // tc ingress of the host veth: traffic leaving the pod
    private let toEndpoint: BPFProgram  // tc egress of the host veth: traffic entering the pod
    private let fromEndpointTag: [UInt8]
    private let toEndpointTag: [UInt8]
    private let endpoints: BPFMap<hedgerow_endpoint_key, hedgerow_endpoint_info>
    private let traffic: BPFPerCPUMap<UInt32, hedgerow_traffic>

    public init(objectDirectory: String, pinDirectory: String) throws {
        object = try BPFObject(path: "\(objectDirectory)/endpoint.bpf.o", options: .init(pinRoot: pinDirectory))
        fromEndpoint = try object.program(named: "from_endpoint")
        toEndpoint = try object.program(named: "to_endpoint")
        fromEndpointTag = try fromEndpoint.info().tag
        toEndpointTag = try toEndpoint.info().tag
        endpoints = try BPFMap(object.map(named: "hedgerow_endpoints"))
        traffic = try BPFPerCPUMap(object.map(named: "hedgerow_traffic"))
    }

    /// Makes the endpoint's map entry and filters current. The entry is written before any
    /// filter runs; on failure, whatever this call added is removed again.
    @discardableResult
    public func install(_ endpoint: DatapathEndpoint) throws -> InstallOutcome {
        let key = hedgerow_endpoint_key(ifindex: UInt32(bitPattern: endpoint.interfaceIndex))
        let previous = try endpoints.lookup(key)
        try endpoints.update(key, Self.info(for: endpoint))
        do {
            let outcomes = try [
                attach(fromEndpoint, tag: fromEndpointTag, to: TCHook(ifindex: endpoint.interfaceIndex, direction: .ingress)),
                attach(toEndpoint, tag: toEndpointTag, to: TCHook(ifindex: endpoint.interfaceIndex, direction: .egress)),
            ]
            if outcomes.allSatisfy({ $0 == .adopted }) { return .adopted }
            return outcomes.contains(.replaced) ? .replaced : .attached
        } catch {
            if let previous { try? endpoints.update(key, previous) } else { _ = try? endpoints.delete(key) }
            throw error
        }
    }

    /// Detaches the filters (when the interface still exists), removes the map entry and clears
    /// the counters, so a later endpoint with the same id starts from zero.
    public func remove(endpointID: UInt32, interfaceIndex: Int32, interfaceExists: Bool) throws {
        if interfaceExists {
            for direction in [TCHook.Direction.ingress, .egress] {
                try TCHook(ifindex: interfaceIndex, direction: direction)
                    .existingAttachment(priority: Self.filterPriority, handle: Self.filterHandle)?.detach()
            }
        }
        try removeEntry(interfaceIndex: interfaceIndex)
        for slot in Self.trafficSlots(endpointID) {
            try traffic.update(slot, allCPUs: hedgerow_traffic())
        }
    }

    public func removeEntry(interfaceIndex: Int32) throws {
        _ = try endpoints.delete(hedgerow_endpoint_key(ifindex: UInt32(bitPattern: interfaceIndex)))
    }

    /// Interfaces that have an endpoint map entry (to find entries no endpoint owns any more).
    public func installedInterfaceIndexes() throws -> [Int32] {
        try endpoints.keys().map { Int32(bitPattern: $0.ifindex) }
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

    // MARK: Helpers

    private func attach(_ program: BPFProgram, tag: [UInt8], to hook: TCHook) throws -> InstallOutcome {
        let existing = try hook.query(priority: Self.filterPriority, handle: Self.filterHandle)
        if let existing, try BPFProgramInfo(id: existing).tag == tag { return .adopted }
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

    static func info(for endpoint: DatapathEndpoint) -> hedgerow_endpoint_info {
        var info = hedgerow_endpoint_info()
        info.endpoint_id = endpoint.id
        info.identity = endpoint.identity
        info.flags = UInt32(HEDGEROW_EP_F_ACTIVE.rawValue)
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
