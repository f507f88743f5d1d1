import CLibBPF
import CLibBPFShim
import Glibc

/// One direction of a network device's clsact qdisc, where tc programs run (direct-action
/// mode): `ingress` sees packets the device receives, `egress` packets it sends.
///
/// tc filters are kernel state of the device, not of this process: they keep running after
/// the process exits, until detached or until the device goes away.
public struct TCHook: Sendable, Hashable, CustomStringConvertible {
    public enum Direction: Sendable, Hashable, CustomStringConvertible {
        case ingress
        case egress

        var attachPoint: UInt32 {
            switch self {
            case .ingress: BPF_TC_INGRESS.rawValue
            case .egress: BPF_TC_EGRESS.rawValue
            }
        }

        public var description: String { self == .ingress ? "ingress" : "egress" }
    }

    public let ifindex: Int32
    public let direction: Direction

    public init(ifindex: Int32, direction: Direction) {
        self.ifindex = ifindex
        self.direction = direction
    }

    /// The hook of the device called `interface` in this network namespace.
    public init(interface: String, direction: Direction) throws {
        let index = if_nametoindex(interface)
        guard index != 0 else {
            throw BPFError(kind: .system, operation: "find interface", errno: Glibc.errno,
                           detail: "no interface named \(interface)")
        }
        self.init(ifindex: Int32(index), direction: direction)
    }

    public var description: String { "tc \(direction) of ifindex \(ifindex)" }

    /// Adds the device's clsact qdisc; one that exists already is fine.
    public func create() throws {
        let (status, log) = LibBPF.capturing { clibbpf_tc_hook_create(ifindex, direction.attachPoint) }
        if status < 0, status != -EEXIST { throw failure("create clsact qdisc", status, log: log) }
    }

    /// Attaches `program` as a filter at `priority` (1...65535, lower runs first) and `handle`
    /// (non-zero) of this hook, adding the clsact qdisc if needed. Without `replace`, an
    /// existing filter there is an error (EEXIST); with it, that filter is replaced in one step
    /// so no packet passes unfiltered.
    ///
    /// The returned attachment detaches when released, unless `forget()` was called on it.
    public func attach(_ program: BPFProgram, priority: UInt16 = 1, handle: UInt32 = 1,
                       replace: Bool = false) throws -> TCAttachment {
        guard priority > 0, handle > 0 else {
            throw BPFError(kind: .invalidArgument, operation: "attach tc filter", programName: program.name,
                           detail: "priority and handle must be non-zero (got \(priority), \(handle))")
        }
        try create()
        var chosenHandle = handle
        var chosenPriority = UInt32(priority)
        var programID: UInt32 = 0
        let (status, log) = try program.withDescriptor(operation: "attach tc filter") { fd in
            LibBPF.capturing {
                clibbpf_tc_attach(ifindex, direction.attachPoint, fd, replace, &chosenHandle, &chosenPriority, &programID)
            }
        }
        if status < 0 {
            var error = failure("attach tc filter", status, log: log)
            error.programName = program.name
            error.detail = "\(self), priority \(priority), handle \(handle)" + (status == -EEXIST ? ": a filter is already there (use replace)" : "")
            throw error
        }
        return TCAttachment(hook: self, priority: UInt16(truncatingIfNeeded: chosenPriority), handle: chosenHandle,
                            programID: programID)
    }

    /// The id of the program attached at `priority`/`handle`, or nil when no filter is there.
    /// The kernel answers a query about a device without clsact qdisc, or without any filter at
    /// that priority, with EINVAL: after checking the arguments here, that means "nothing".
    public func query(priority: UInt16, handle: UInt32) throws -> UInt32? {
        guard priority > 0, handle > 0 else {
            throw BPFError(kind: .invalidArgument, operation: "query tc filter",
                           detail: "priority and handle must be non-zero (got \(priority), \(handle))")
        }
        var programID: UInt32 = 0
        let (status, log) = LibBPF.capturing {
            clibbpf_tc_query(ifindex, direction.attachPoint, handle, UInt32(priority), &programID)
        }
        if status == -ENOENT || status == -ENODEV || status == -EINVAL { return nil }
        if status < 0 { throw failure("query tc filter", status, log: log) }
        return programID
    }

    /// Adopts the filter at `priority`/`handle` (e.g. left by a previous run of the agent) as an
    /// attachment, so it can be detached later; nil when there is none.
    public func existingAttachment(priority: UInt16, handle: UInt32) throws -> TCAttachment? {
        guard let programID = try query(priority: priority, handle: handle) else { return nil }
        return TCAttachment(hook: self, priority: priority, handle: handle, programID: programID)
    }

    /// Removes the device's clsact qdisc with every tc filter on both directions (of anyone).
    /// A device without clsact (EINVAL, ENOENT) or gone (ENODEV) is fine.
    public func destroyQdisc() throws {
        let both = BPF_TC_INGRESS.rawValue | BPF_TC_EGRESS.rawValue
        let (status, log) = LibBPF.capturing { clibbpf_tc_hook_destroy(ifindex, both) }
        if status < 0, ![-ENOENT, -ENODEV, -EINVAL].contains(status) {
            throw failure("remove clsact qdisc", status, log: log)
        }
    }

    var deviceExists: Bool {
        var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        return if_indextoname(UInt32(ifindex), &name) != nil
    }

    func failure(_ operation: String, _ status: Int32, log: String) -> BPFError {
        var error = BPFError.system(operation, errno: status, libbpfLog: log)
        error.detail = description
        return error
    }
}
