import CHedgerowABI
import HedgerowCore

/// The policy part of an endpoint entry's flags word (`hedgerow_endpoint_info.flags`): which
/// directions default to deny, which have policy map entries, which are audited and whether
/// their audit view defaults to deny. The word's upper 22 bits hold
/// the policy revision; the programs read flags and revision with one load.
struct EndpointPolicyFlags: OptionSet, Hashable, Sendable {
    let rawValue: UInt32
    init(rawValue: UInt32) { self.rawValue = rawValue }

    static let enforceEgress = Self(rawValue: HEDGEROW_EP_F_ENFORCE_EGRESS.rawValue)
    static let enforceIngress = Self(rawValue: HEDGEROW_EP_F_ENFORCE_INGRESS.rawValue)
    static let rulesEgress = Self(rawValue: HEDGEROW_EP_F_RULES_EGRESS.rawValue)
    static let rulesIngress = Self(rawValue: HEDGEROW_EP_F_RULES_INGRESS.rawValue)
    static let auditEgress = Self(rawValue: HEDGEROW_EP_F_AUDIT_EGRESS.rawValue)
    static let auditIngress = Self(rawValue: HEDGEROW_EP_F_AUDIT_INGRESS.rawValue)
    static let auditEnforceEgress = Self(rawValue: HEDGEROW_EP_F_AUDIT_ENFORCE_EGRESS.rawValue)
    static let auditEnforceIngress = Self(rawValue: HEDGEROW_EP_F_AUDIT_ENFORCE_INGRESS.rawValue)
    /// Every bit this type covers (the generation bit is EndpointFlagsWord's).
    static let all: Self = [
        .enforceEgress, .enforceIngress, .rulesEgress, .rulesIngress, .auditEgress, .auditIngress,
        .auditEnforceEgress, .auditEnforceIngress,
    ]

    static func enforce(_ direction: TrafficDirection) -> Self { direction == .ingress ? .enforceIngress : .enforceEgress }
    static func rules(_ direction: TrafficDirection) -> Self { direction == .ingress ? .rulesIngress : .rulesEgress }
    static func audit(_ direction: TrafficDirection) -> Self { direction == .ingress ? .auditIngress : .auditEgress }
    static func auditEnforce(_ direction: TrafficDirection) -> Self {
        direction == .ingress ? .auditEnforceIngress : .auditEnforceEgress
    }

    /// The flags a policy asks for: enforcement as compiled, rules where the enforced view has
    /// entries, audit where an audit-mode policy selects the endpoint.
    init(_ policy: EndpointPolicy) {
        var flags: Self = []
        for direction in TrafficDirection.allCases {
            if policy.isEnforced(direction) { flags.insert(.enforce(direction)) }
            switch policy.audit(direction) {
            case .off: break
            case .rulesOnly: flags.insert(.audit(direction))
            case .defaultDeny: flags.formUnion([.audit(direction), .auditEnforce(direction)])
            }
        }
        for entry in policy.entries where entry.key.view == .enforced { flags.insert(.rules(entry.key.direction)) }
        self = flags
    }
}

/// Composes and takes apart the flags word of an endpoint entry.
enum EndpointFlagsWord {
    static let active = HEDGEROW_EP_F_ACTIVE.rawValue
    static let generationBit = HEDGEROW_EP_F_POLICY_GENERATION.rawValue
    static let revisionShift = UInt32(HEDGEROW_EP_REVISION_SHIFT)
    static let revisionMask = HEDGEROW_EP_REVISION_MASK
    static let revisionLimit = UInt32(1) << (32 - revisionShift)

    static func compose(active: Bool, policy: EndpointPolicyFlags, generation: UInt8, revision: UInt32) -> UInt32 {
        (active ? Self.active : 0) | policy.rawValue | (generation & 1 == 1 ? generationBit : 0)
            | (revision % revisionLimit) << revisionShift
    }

    static func policy(_ word: UInt32) -> EndpointPolicyFlags { EndpointPolicyFlags(rawValue: word).intersection(.all) }
    static func revision(_ word: UInt32) -> UInt32 { (word & revisionMask) >> revisionShift }
    /// The policy generation (0 or 1) the programs look up.
    static func generation(_ word: UInt32) -> UInt8 { word & generationBit == 0 ? 0 : 1 }
    /// Everything but the active bit: what a reinstall keeps.
    static func policyPart(_ word: UInt32) -> UInt32 { word & ~active }

    static func nextRevision(after revision: UInt32) -> UInt32 { (revision + 1) % revisionLimit }
    /// A fresh endpoint starts at a random revision, so that conntrack entries a previous
    /// endpoint with the same id left behind are checked against the new one's policy.
    static func randomRevision() -> UInt32 { UInt32.random(in: 0..<revisionLimit) }
}
