import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// Socket-level service load balancing (bpf/sock.bpf.c) and the service maps.
///
/// The maps are pinned by name under the pin directory, shared with any other object that
/// declares them (the node-level LB), and adopted by a restarted agent. The programs attach to
/// a cgroup2 directory through BPF links that are pinned too, so translation goes on while no
/// agent runs; `attach` on an already attached cgroup keeps the same code and atomically
/// replaces other code. Nothing detaches on release: call `detach(cgroupPath:)`.
public final class ServiceDatapath: Sendable {
    /// The programs, by C function name, in attach order: the reverse translations first, so a
    /// translated socket always finds its way back.
    public static let programNames = [
        "sock_recvmsg4", "sock_getpeername4", "sock_recvmsg6", "sock_getpeername6",
        "sock_connect4", "sock_sendmsg4", "sock_connect6", "sock_sendmsg6",
    ]

    /// Writes a `ServiceModel` into the maps by diff.
    public let sync: ServiceMapSync
    public let pinDirectory: String

    private let object: BPFObject
    private let programs: [BPFProgram]
    private let affinity: BPFMap<hedgerow_affinity_key, hedgerow_affinity_value>
    private let socketReverse: BPFMap<hedgerow_sock_rev_nat_key, hedgerow_sock_rev_nat_value>

    /// - Parameters:
    ///   - nodeName: this node (its backends get the local flag).
    ///   - maglev: the Maglev table size and seed; every node must use the same.
    public init(objectDirectory: String, pinDirectory: String, nodeName: String? = nil, maglev: MaglevConfiguration = .default) throws {
        self.pinDirectory = pinDirectory
        let object = try BPFObject(path: "\(objectDirectory)/sock.bpf.o", options: .init(pinRoot: pinDirectory))
        self.object = object
        programs = try Self.programNames.map { try object.program(named: $0) }
        affinity = try BPFMap(object.map(named: "hedgerow_affinity"))
        socketReverse = try BPFMap(object.map(named: "hedgerow_sock_rev_nat"))
        let maps = ServiceMaps(
            services: try BPFMap(object.map(named: "hedgerow_services")),
            backends: try BPFMap(object.map(named: "hedgerow_backends")),
            revNAT: try BPFMap(object.map(named: "hedgerow_rev_nat")),
            affinityMatch: try BPFMap(object.map(named: "hedgerow_affinity_match")),
            maglev: MaglevTableSync(outer: try BPFMap(object.map(named: "hedgerow_maglev")), configuration: maglev))
        sync = try ServiceMapSync(maps: maps, nodeName: nodeName)
    }

    /// Attaches every program to the cgroup2 directory at `cgroupPath` (processes in it and below
    /// get their service addresses translated). `.adopted` when a previous agent's programs run
    /// the same code, `.replaced` when any had other code.
    @discardableResult
    public func attach(cgroupPath: String) throws -> InstallOutcome {
        let attachment = try SocketLBAttachment(cgroupPath: cgroupPath, pinDirectory: pinDirectory)
        let outcomes = try programs.map { try attachment.attach($0) }
        if outcomes.allSatisfy({ $0 == .adopted }) { return .adopted }
        if outcomes.allSatisfy({ $0 == .attached }) { return .attached }
        return outcomes.contains(.replaced) ? .replaced : .attached
    }

    /// Detaches the programs from the cgroup (connects go to the VIPs as named from then on) and
    /// removes their pins. Returns false when nothing was attached.
    @discardableResult
    public func detach(cgroupPath: String) throws -> Bool {
        let attachment = try SocketLBAttachment(cgroupPath: cgroupPath, pinDirectory: pinDirectory)
        // Forward translations first, so no socket is translated that could not be reversed.
        var detached = false
        for name in Self.programNames.reversed() where try attachment.detach(programNamed: name) { detached = true }
        attachment.removeDirectory()
        return detached
    }

    /// ClientIP affinity pins (network namespace cookie -> backend), for inspection.
    public func affinityPins() throws -> [(serviceID: UInt16, client: UInt64, backend: BackendID, lastUsedNanoseconds: UInt64)] {
        try affinity.entries().map { key, value in
            let client = withUnsafeBytes(of: key.client) { $0.load(as: UInt64.self) }
            return (key.service_id, client, value.backend_id, value.last_used_ns)
        }
    }

    /// Sockets whose translation is remembered for reverse lookups.
    public func translatedSocketCount() throws -> Int { try socketReverse.keys().count }
}
