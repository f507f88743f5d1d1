import HedgerowCore
import Testing

@testable import HedgerowDatapath

/// The writes of a policy change: checked by replaying plans against a model of what the
/// programs read (the flags word once, then two longest-prefix lookups in its generation).
@Suite struct PolicySyncPlanTests {
    static let endpoint: UInt32 = 9
    static let peer = SecurityIdentity(rawValue: 300)

    static func entry(_ direction: TrafficDirection, _ remote: SecurityIdentity, _ proto: UInt8, _ port: UInt16 = 0,
                      _ length: UInt8 = 0, _ action: PolicyEntry.Action) -> PolicyEntry {
        PolicyEntry(key: .init(direction: direction, remote: remote, proto: proto, port: port, portPrefixLength: length),
                    action: action, origins: ["rule \(action) \(port)"])
    }

    static func table(_ policy: EndpointPolicy) -> [PolicyMapKey: PolicyMapValue] {
        Dictionary(uniqueKeysWithValues: policy.entries.map { entry in
            let key = PolicyMapKey(endpointID: endpoint, entry.key)
            return (key, PolicyMapValue(action: entry.action, cookie: 0, matchBits: key.matchBits))
        })
    }

    static func key(_ entry: PolicyEntry) -> PolicyMapKey { PolicyMapKey(endpointID: endpoint, entry.key) }
    static func value(_ entry: PolicyEntry) -> PolicyMapValue {
        PolicyMapValue(action: entry.action, cookie: 0, matchBits: key(entry).matchBits)
    }

    static let web = entry(.ingress, peer, 6, 80, 16, .allow)
    static let dns = entry(.ingress, peer, 17, 53, 16, .allow)
    static let ssh = entry(.ingress, .any, 6, 22, 16, .deny)

    @Test func nothingToDoIsAnEmptyPlan() {
        let plan = PolicySyncPlan(generations: [Self.table(EndpointPolicy(entries: [Self.web])), [:]], active: 0,
                                  flags: [.rulesIngress], desired: Self.table(EndpointPolicy(entries: [Self.web])),
                                  desiredFlags: [.rulesIngress], inactiveMayBeRead: true)
        #expect(plan.isEmpty)
    }

    @Test func enforcementAloneIsOneSwitchOfTheFlags() {
        let plan = PolicySyncPlan(generations: [Self.table(EndpointPolicy(entries: [Self.web])), [:]], active: 0,
                                  flags: [.rulesIngress], desired: Self.table(EndpointPolicy(entries: [Self.web])),
                                  desiredFlags: [.rulesIngress, .enforceIngress], inactiveMayBeRead: true)
        #expect(plan.steps == [.publish([.rulesIngress, .enforceIngress], generation: 0)])
    }

    /// The inactive generation holds the policy before the current one: the writes are the diff
    /// against it, after a barrier, and the switch comes last.
    @Test func writesTheDiffIntoTheInactiveGenerationThenSwitches() {
        let previous = Self.table(EndpointPolicy(entries: [Self.web, Self.ssh]))
        let current = Self.table(EndpointPolicy(entries: [Self.web]))
        let desired = EndpointPolicy(ingressEnforced: true, entries: [Self.dns, Self.web].sorted())
        let plan = PolicySyncPlan(generations: [current, previous], active: 0, flags: [.rulesIngress],
                                  desired: Self.table(desired), desiredFlags: EndpointPolicyFlags(desired), inactiveMayBeRead: true)
        #expect(plan.steps == [
            .barrier,
            .upsert(Self.key(Self.dns), Self.value(Self.dns), generation: 1),
            .delete(Self.key(Self.ssh), generation: 1),
            .publish([.enforceIngress, .rulesIngress], generation: 1),
        ])
        #expect(plan.writes == 2)
        // No program can still read the inactive generation: no barrier.
        let quiet = PolicySyncPlan(generations: [current, previous], active: 0, flags: [.rulesIngress],
                                   desired: Self.table(desired), desiredFlags: EndpointPolicyFlags(desired), inactiveMayBeRead: false)
        #expect(!quiet.usesBarrier && quiet.writes == 2)
    }

    /// Chains of random policies applied one after the other: a program that reads the flags
    /// word at any point and its entries at any later point before the next barrier judges by
    /// the whole policy that word named, never by a mix.
    @Test func everyPacketSeesOneWholePolicy() {
        var random = SplitMix(seed: 0x4852_0001)
        for _ in 0..<40 {
            var state = MapModel()
            var timeline: [(state: MapModel, barrierBefore: Bool)] = [(state, false)]
            var inactiveMayBeRead = true
            for _ in 0..<4 {
                let policy = PolicyModel.randomPolicy(&random)
                let plan = PolicySyncPlan(
                    generations: state.generations, active: state.active, flags: state.flags, desired: Self.table(policy),
                    desiredFlags: EndpointPolicyFlags(policy), inactiveMayBeRead: inactiveMayBeRead)
                var barrier = false
                for step in plan.steps {
                    switch step {
                    case .barrier:
                        barrier = true
                        inactiveMayBeRead = false
                        continue
                    case .upsert(let key, let value, let generation): state.generations[Int(generation)][key] = value
                    case .delete(let key, let generation): state.generations[Int(generation)][key] = nil
                    case .publish(let flags, let generation):
                        if generation != state.active { inactiveMayBeRead = true }
                        state.flags = flags
                        state.active = generation
                    }
                    timeline.append((state, barrier))
                    barrier = false
                }
                #expect(state.policy == PolicyModel(entries: Self.table(policy), flags: EndpointPolicyFlags(policy)))
            }
            for i in timeline.indices {
                let judged = timeline[i].state.policy
                var j = i
                while j < timeline.count && (j == i || !timeline[j].barrierBefore) {
                    let generation = Int(timeline[i].state.active)
                    let read = PolicyModel(entries: timeline[j].state.generations[generation], flags: timeline[i].state.flags)
                    for packet in PolicyModel.packets where read.allows(packet) != judged.allows(packet) {
                        Issue.record("\(packet): word read at step \(i), entries at step \(j) differ from the policy at \(i)")
                        return
                    }
                    j += 1
                }
            }
        }
    }
}

/// The map as the plan's steps leave it: both generations, the flags word.
struct MapModel {
    var generations: [[PolicyMapKey: PolicyMapValue]] = [[:], [:]]
    var active: UInt8 = 0
    var flags: EndpointPolicyFlags = []
    var policy: PolicyModel { PolicyModel(entries: generations[Int(active)], flags: flags) }
}

/// The programs' decision for a new connection, over one endpoint's entries and flags.
struct PolicyModel: Equatable {
    var entries: [PolicyMapKey: PolicyMapValue]
    var flags: EndpointPolicyFlags

    struct Packet: CustomStringConvertible {
        var direction: TrafficDirection
        var remote: SecurityIdentity
        var proto: UInt8
        var port: UInt16
        var description: String { "\(direction) from \(remote.rawValue) proto \(proto) port \(port)" }
    }

    static let remotes = [SecurityIdentity.any, SecurityIdentity(rawValue: 300), SecurityIdentity(rawValue: 301)]
    static let ports: [(UInt16, UInt8)] = [(0, 0), (80, 16), (80, 15), (80, 14), (443, 16), (8000, 13)]
    static let packets: [Packet] = TrafficDirection.allCases.flatMap { direction in
        [SecurityIdentity(rawValue: 300), SecurityIdentity(rawValue: 301)].flatMap { remote in
            [UInt8(6), 17].flatMap { proto in
                [UInt16(80), 81, 83, 443, 8003, 9999].map { Packet(direction: direction, remote: remote, proto: proto, port: $0) }
            }
        }
    }

    /// The longest match among the entries of exactly `identity`.
    func chain(_ packet: Packet, identity: SecurityIdentity) -> PolicyEntry.Action? {
        entries.filter { key, _ in
            key.direction == packet.direction && key.remote == identity
                && key.policyKey.matches(remote: identity, proto: packet.proto, port: packet.port)
        }.max { $0.key.matchBits < $1.key.matchBits }?.value.action
    }

    func allows(_ packet: Packet) -> Bool {
        let enforced = flags.contains(.enforce(packet.direction))
        if !enforced && !flags.contains(.rules(packet.direction)) { return true }
        let results = [chain(packet, identity: packet.remote), chain(packet, identity: .any)]
        if results.contains(.deny) { return false }
        if results.contains(.allow) { return true }
        return !enforced
    }

    static func randomPolicy(_ random: inout SplitMix) -> EndpointPolicy {
        var entries: [PolicyEntry.Key: PolicyEntry] = [:]
        for _ in 0..<random.next(below: 7) {
            let direction: TrafficDirection = random.next(below: 3) == 0 ? .egress : .ingress
            let remote = remotes[random.next(below: remotes.count)]
            let proto: UInt8 = [0, 6, 6, 17][random.next(below: 4)]
            let (port, length) = proto == 0 ? (0, 0) : ports[random.next(below: ports.count)]
            let key = PolicyEntry.Key(direction: direction, remote: remote, proto: proto, port: port, portPrefixLength: length)
            entries[key] = PolicyEntry(key: key, action: random.next(below: 3) == 0 ? .deny : .allow)
        }
        return EndpointPolicy(ingressEnforced: random.next(below: 2) == 0, egressEnforced: random.next(below: 3) == 0,
                              entries: entries.values.sorted())
    }
}

/// A small deterministic generator, so a failure repeats.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
