import CHedgerowABI
import HedgerowBPF
import HedgerowCore
import Synchronization

/// What one `PolicyMapSync.apply` changed.
public struct PolicySyncReport: Sendable, Equatable {
    public var endpointID: UInt32
    /// Map writes (inserts, updates, deletions) into the generation that became active.
    public var writes = 0
    /// Whether the endpoint switched to a new policy (entries or enforcement changed).
    public var published = false
    /// The endpoint's policy revision afterwards (older conntrack entries get rechecked).
    public var revision: UInt32 = 0
    /// Whether the sync had to wait for running programs before writing (see `PolicySyncPlan`).
    public var waitedForBarrier = false
    /// False when the endpoint had no entry yet: its flags wait for its install.
    public var endpointInstalled = true

    public var changedAnything: Bool { published }
}

public struct PolicySyncError: Error, CustomStringConvertible {
    public var endpointID: UInt32
    public var message: String
    public var description: String { "policy sync of endpoint \(endpointID): \(message)" }
}

/// Writes compiled endpoint policies into `hedgerow_policy` and the endpoints' flags, as diffs.
///
/// Each `apply` is atomic per endpoint: every packet is judged by the previous policy or by the
/// new one as a whole (two generations and one switch: see `PolicySyncPlan`). Applies, removals
/// and endpoint installs are serialised by the endpoint table's lock; a sync costs what changed
/// (plus one pass over the desired entries to diff them).
///
/// A mirror of the map makes diffs cheap; it is read from the pinned map when the agent starts,
/// so a restarted agent's first apply writes only what really differs.
public final class PolicyMapSync: Sendable {
    /// The most entries one endpoint's policy may have (per generation), as Cilium's default
    /// per-endpoint policy map size (`bpf-policy-map-max`). A policy needing more is refused for
    /// that endpoint before anything is written: it keeps its previous policy, whole. Without a
    /// per-endpoint limit one endpoint's policy could fill the shared map and starve the others
    /// half-way through their syncs.
    public static let endpointEntryLimit = 16_384

    /// One endpoint's entries as the map holds them.
    struct EndpointState: Sendable {
        var generations: [[PolicyMapKey: PolicyMapValue]] = [[:], [:]]
        var active: UInt8 = 0
        /// The barrier mark taken when the inactive generation was last active: once a barrier
        /// begun after it has finished, no program reads that generation. nil: it never was.
        var inactiveSince: UInt64?

        var isEmpty: Bool { generations.allSatisfy(\.isEmpty) }
    }

    private let map: BPFMap<hedgerow_policy_key, hedgerow_policy_value>
    private let endpoints: EndpointTable
    private let barrier: SyncBarrier
    private let cookies: PolicyCookieTable
    /// Endpoint id -> its state. Read and written only under the endpoint table's lock.
    private let mirror: Mutex<[UInt32: EndpointState]>

    init(map: BPFMap<hedgerow_policy_key, hedgerow_policy_value>, endpoints: EndpointTable, barrier: SyncBarrier) throws {
        self.map = map
        self.endpoints = endpoints
        self.barrier = barrier
        var adopted: [UInt32: EndpointState] = [:]
        var highestCookie: UInt32 = 0
        for (rawKey, rawValue) in try map.entries() {
            guard let key = PolicyMapKey(abi: rawKey), let value = PolicyMapValue(abi: rawValue) else { continue }
            adopted[key.endpointID, default: EndpointState()].generations[Int(PolicyMapKey.generation(of: rawKey))][key] = value
            highestCookie = max(highestCookie, value.cookie)
        }
        for (_, info) in try endpoints.map.entries() where adopted[info.endpoint_id] != nil {
            adopted[info.endpoint_id]?.active = EndpointFlagsWord.generation(info.flags)
        }
        // Programs of the previous agent's time may still read either generation: one barrier
        // from now on settles that for all of them.
        let mark = barrier.mark()
        for id in adopted.keys { adopted[id]?.inactiveSince = mark }
        if !adopted.isEmpty { barrier.afterSwitch() }
        mirror = Mutex(adopted)
        cookies = PolicyCookieTable(highestInUse: highestCookie)
    }

    /// Makes the endpoint enforce `policy`. Without an endpoint entry (not installed yet) the
    /// entries are written and the flags kept for the install that creates the entry.
    @discardableResult
    public func apply(_ policy: EndpointPolicy, endpointID: UInt32, interfaceIndex: Int32) throws -> PolicySyncReport {
        try endpoints.locked { table in
            // Cookies are made under the lock: another sync's clean-up could otherwise collect
            // a fresh cookie before this sync's entries retain it.
            let cookieList = cookies.cookies(for: policy.entries.map(\.origins))
            var desired: [PolicyMapKey: PolicyMapValue] = [:]
            desired.reserveCapacity(policy.entries.count)
            for (entry, cookie) in zip(policy.entries, cookieList) {
                let key = PolicyMapKey(endpointID: endpointID, entry.key)
                if desired[key] == nil { desired[key] = PolicyMapValue(action: entry.action, cookie: cookie, matchBits: key.matchBits) }
            }
            guard desired.count <= Self.endpointEntryLimit else {
                cookies.rebalance(released: [], retained: [])  // forgets the cookies just made
                throw PolicySyncError(
                    endpointID: endpointID,
                    message: "its policy needs \(desired.count) policy map entries, more than the limit of "
                        + "\(Self.endpointEntryLimit) per endpoint; nothing was written, it keeps enforcing its previous policy")
            }
            return try sync(endpointID: endpointID, interfaceIndex: interfaceIndex, desired: desired,
                            desiredFlags: EndpointPolicyFlags(policy), table: &table)
        }
    }

    /// Deletes the endpoint's entries and forgets its pending flags (after its entry is gone).
    public func remove(endpointID: UInt32) throws {
        try endpoints.locked { table in
            table.pendingPolicyWords[endpointID] = nil
            var state = mirror.withLock { $0.removeValue(forKey: endpointID) } ?? EndpointState()
            var released: [UInt32] = []
            defer {
                cookies.rebalance(released: released, retained: [])
                if !state.isEmpty { mirror.withLock { $0[endpointID] = state } }
            }
            for generation in 0..<2 {
                for (key, value) in state.generations[generation] {
                    _ = try map.delete(key.abi(generation: UInt8(generation)))
                    state.generations[generation][key] = nil
                    released.append(value.cookie)
                }
            }
        }
    }

    /// The rule origins a flow's policy cookie stands for.
    public func origins(cookie: UInt32) -> [String]? { cookies.origins(of: cookie) }

    /// The entries the endpoint's active generation holds, as policy entries (origins where known).
    public func installedEntries(endpointID: UInt32) throws -> [PolicyEntry] {
        let state = try endpoints.locked { _ in mirror.withLock { $0[endpointID] } } ?? EndpointState()
        return state.generations[Int(state.active)].map { key, value in
            PolicyEntry(key: key.policyKey, action: value.action, origins: cookies.origins(of: value.cookie) ?? [])
        }.sorted()
    }

    /// Endpoint ids that have entries in the map.
    public func endpointIDs() throws -> [UInt32] {
        try endpoints.locked { _ in mirror.withLock { Array($0.keys) } }.sorted()
    }

    // MARK: Applying a plan

    private func sync(endpointID: UInt32, interfaceIndex: Int32, desired: [PolicyMapKey: PolicyMapValue],
                      desiredFlags: EndpointPolicyFlags, table: inout EndpointTable.State) throws -> PolicySyncReport {
        // Taken out of the mirror while it changes (no copies of large tables); put back even on failure.
        var state = mirror.withLock { $0.removeValue(forKey: endpointID) } ?? EndpointState()
        var released: [UInt32] = [], retained: [UInt32] = []
        defer {
            cookies.rebalance(released: released, retained: retained)
            if !state.isEmpty { mirror.withLock { $0[endpointID] = state } }
        }
        var target = try FlagsTarget(endpointID: endpointID, interfaceIndex: interfaceIndex, endpoints: endpoints, table: table)
        state.active = target.generation
        let inactiveMayBeRead = target.installed && state.inactiveSince.map { !barrier.isPast($0) } == true
        let plan = PolicySyncPlan(
            generations: state.generations, active: target.generation, flags: target.flags, desired: desired,
            desiredFlags: desiredFlags, inactiveMayBeRead: inactiveMayBeRead)
        var report = PolicySyncReport(endpointID: endpointID, revision: target.revision, endpointInstalled: target.installed)
        for step in plan.steps {
            switch step {
            case .barrier:
                try failing(endpointID, "waiting for running programs") { try barrier.wait(past: state.inactiveSince ?? 0) }
                report.waitedForBarrier = true
            case .upsert(let key, let value, let generation):
                try failing(endpointID, "writing \(key.policyKey)") { try map.update(key.abi(generation: generation), value.abi) }
                if let old = state.generations[Int(generation)].updateValue(value, forKey: key) { released.append(old.cookie) }
                retained.append(value.cookie)
                report.writes += 1
            case .delete(let key, let generation):
                try failing(endpointID, "deleting \(key.policyKey)") { _ = try map.delete(key.abi(generation: generation)) }
                if let old = state.generations[Int(generation)].removeValue(forKey: key) { released.append(old.cookie) }
                report.writes += 1
            case .publish(let flags, let generation):
                try failing(endpointID, "switching its flags") {
                    try target.publish(flags, generation: generation, endpoints: endpoints, table: &table)
                }
                if generation != state.active {
                    state.active = generation
                    // The generation just left may be read until a barrier begun from now finishes.
                    if target.installed {
                        state.inactiveSince = barrier.mark()
                        barrier.afterSwitch()
                    }
                }
                report.published = true
                report.revision = target.revision
            }
        }
        return report
    }

    private func failing(_ endpointID: UInt32, _ what: String, _ body: () throws -> Void) throws {
        do { try body() } catch {
            throw PolicySyncError(
                endpointID: endpointID,
                message: "\(what): \(error) (the endpoint keeps enforcing its previous policy; the next apply continues from here)")
        }
    }
}

/// Where an endpoint's flags word lives: its map entry when installed, else the pending word
/// its install will use.
private struct FlagsTarget {
    let endpointID: UInt32
    let interfaceIndex: Int32
    let installed: Bool
    private(set) var flags: EndpointPolicyFlags
    private(set) var generation: UInt8
    private(set) var revision: UInt32

    init(endpointID: UInt32, interfaceIndex: Int32, endpoints: EndpointTable, table: EndpointTable.State) throws {
        self.endpointID = endpointID
        self.interfaceIndex = interfaceIndex
        let word: UInt32
        if let info = try endpoints.lookup(interfaceIndex) {
            guard info.endpoint_id == endpointID else {
                throw PolicySyncError(endpointID: endpointID, message: "interface \(interfaceIndex) belongs to endpoint \(info.endpoint_id)")
            }
            installed = true
            word = info.flags
        } else {
            installed = false
            word = table.pendingPolicyWords[endpointID] ?? EndpointFlagsWord.compose(
                active: false, policy: [], generation: 0, revision: EndpointFlagsWord.randomRevision())
        }
        flags = EndpointFlagsWord.policy(word)
        generation = EndpointFlagsWord.generation(word)
        revision = EndpointFlagsWord.revision(word)
    }

    /// One write of the flags word: flags, active generation and the next revision together.
    mutating func publish(_ newFlags: EndpointPolicyFlags, generation newGeneration: UInt8, endpoints: EndpointTable,
                          table: inout EndpointTable.State) throws {
        let nextRevision = EndpointFlagsWord.nextRevision(after: revision)
        if installed {
            // Re-read the entry: only the flags word is ours to change.
            guard var info = try endpoints.lookup(interfaceIndex), info.endpoint_id == endpointID else {
                throw PolicySyncError(endpointID: endpointID, message: "its entry for interface \(interfaceIndex) vanished during the sync")
            }
            info.flags = EndpointFlagsWord.compose(
                active: info.flags & EndpointFlagsWord.active != 0, policy: newFlags, generation: newGeneration, revision: nextRevision)
            try endpoints.write(interfaceIndex, info)
        } else {
            table.pendingPolicyWords[endpointID] = EndpointFlagsWord.compose(
                active: false, policy: newFlags, generation: newGeneration, revision: nextRevision)
        }
        flags = newFlags
        generation = newGeneration
        revision = nextRevision
    }
}
