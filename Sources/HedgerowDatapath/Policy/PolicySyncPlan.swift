import HedgerowCore

/// The writes that take one endpoint from its current policy to the desired one, such that every
/// packet is judged by one whole policy: the old one or the new one, never a mix.
///
/// ## How
///
/// Each endpoint has two generations of policy map entries (bit 1 of the key's direction byte)
/// and its flags word says which one is active, next to the enforcement flags and the policy
/// revision. A program reads that word once per packet and looks up only the active generation.
///
/// 1. Barrier: wait until no program is still running that read the flags word before the last
///    switch (those may still be looking up the inactive generation). A barrier starts in the
///    background after every switch, so this step only waits when changes come faster than
///    an RCU grace period.
/// 2. Write the desired entries into the inactive generation, as a diff against what it holds
///    (the policy before the current one). No packet looks there.
/// 3. Switch: one write of the flags word with the other generation, the desired enforcement
///    and a new revision.
///
/// A packet that read the word before step 3 sees the old flags and the old entries, which
/// nobody changes until the next barrier; one that read it afterwards sees the new flags and the
/// complete new entries. The flags word is one 32-bit load, so flags, generation and revision
/// always belong together. When only enforcement changes, step 3 alone does it.
///
/// Established connections pass through conntrack while their entry carries the endpoint's
/// current revision; after a switch their next forward packet is checked once against the new
/// policy (drop if it no longer allows them). Replies always pass.
struct PolicySyncPlan: Equatable, Sendable {
    enum Step: Equatable, Sendable {
        /// Wait until no program still runs that started before this point.
        case barrier
        case upsert(PolicyMapKey, PolicyMapValue, generation: UInt8)
        case delete(PolicyMapKey, generation: UInt8)
        /// Write the flags word: these flags, this generation active, the next revision.
        case publish(EndpointPolicyFlags, generation: UInt8)
    }

    var steps: [Step]

    var isEmpty: Bool { steps.isEmpty }
    var usesBarrier: Bool { steps.contains(.barrier) }
    var writes: Int { steps.filter { if case .publish = $0 { false } else { $0 != .barrier } }.count }

    /// - Parameters:
    ///   - generations: what each generation holds now (index 0 and 1).
    ///   - active: the generation programs read now.
    ///   - inactiveMayBeRead: whether a program may still read the inactive generation (the
    ///     endpoint switched since the last barrier, or nobody knows).
    init(generations: [[PolicyMapKey: PolicyMapValue]], active: UInt8, flags: EndpointPolicyFlags,
         desired: [PolicyMapKey: PolicyMapValue], desiredFlags: EndpointPolicyFlags, inactiveMayBeRead: Bool) {
        let active = active & 1
        if desired == generations[Int(active)] {
            steps = desiredFlags == flags ? [] : [.publish(desiredFlags, generation: active)]
            return
        }
        let target = active ^ 1
        let current = generations[Int(target)]
        steps = inactiveMayBeRead ? [.barrier] : []
        // Sorted for a deterministic order; only the changes are sorted.
        for (key, value) in desired.filter({ current[$0.key] != $0.value }).sorted(by: { $0.key < $1.key }) {
            steps.append(.upsert(key, value, generation: target))
        }
        for key in current.keys.filter({ desired[$0] == nil }).sorted() {
            steps.append(.delete(key, generation: target))
        }
        steps.append(.publish(desiredFlags, generation: target))
    }
}
