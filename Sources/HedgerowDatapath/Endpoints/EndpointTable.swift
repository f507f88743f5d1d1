import CHedgerowABI
import HedgerowBPF
import Synchronization

/// `hedgerow_endpoints` (host veth ifindex -> endpoint) with every write serialised: installs
/// rewrite an entry and policy syncs flip its flags, and neither may undo the other.
final class EndpointTable: Sendable {
    /// Held while an entry is read and rewritten.
    struct State: Sendable {
        /// Policy bits (flags word without the active bit) for endpoints whose policy was
        /// applied before their entry existed: the install that creates the entry uses them.
        var pendingPolicyWords: [UInt32: UInt32] = [:]
    }

    let map: BPFMap<hedgerow_endpoint_key, hedgerow_endpoint_info>
    private let state = Mutex(State())

    init(_ map: BPFMap<hedgerow_endpoint_key, hedgerow_endpoint_info>) { self.map = map }

    static func key(_ interfaceIndex: Int32) -> hedgerow_endpoint_key {
        hedgerow_endpoint_key(ifindex: UInt32(bitPattern: interfaceIndex))
    }

    /// Runs `body` with the table locked: no other install or policy sync writes meanwhile.
    func locked<Result: Sendable>(_ body: (inout State) throws -> Result) throws -> Result {
        try state.withLock { state in try body(&state) }
    }

    func lookup(_ interfaceIndex: Int32) throws -> hedgerow_endpoint_info? { try map.lookup(Self.key(interfaceIndex)) }

    func write(_ interfaceIndex: Int32, _ info: hedgerow_endpoint_info) throws { try map.update(Self.key(interfaceIndex), info) }

    @discardableResult
    func delete(_ interfaceIndex: Int32) throws -> Bool { try map.delete(Self.key(interfaceIndex)) }
}
