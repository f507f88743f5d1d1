import CHedgerowABI
import HedgerowCore
import Testing

@testable import HedgerowDatapath

@Suite struct PolicyMapKeyTests {
    @Test func prefixLengthCountsProtocolAndPortBits() {
        let remote = SecurityIdentity(rawValue: 256)
        let any = PolicyMapKey(endpointID: 3, .init(direction: .ingress, remote: remote, proto: 0))
        let tcp = PolicyMapKey(endpointID: 3, .init(direction: .ingress, remote: remote, proto: 6))
        let port = PolicyMapKey(endpointID: 3, .init(direction: .ingress, remote: remote, proto: 6, port: 80, portPrefixLength: 16))
        let range = PolicyMapKey(endpointID: 3, .init(direction: .egress, remote: .any, proto: 17, port: 8080, portPrefixLength: 14))
        #expect(any.abi(generation: 0).prefixlen == 72)
        #expect(tcp.abi(generation: 0).prefixlen == 80)
        #expect(port.abi(generation: 0).prefixlen == 96)
        #expect(range.abi(generation: 0).prefixlen == 94)
        #expect(range.matchBits == 22)
    }

    @Test func fieldsLandWhereTheProgramsLook() {
        let key = PolicyMapKey(endpointID: 7, .init(direction: .ingress, remote: SecurityIdentity(rawValue: 1234), proto: 6,
                                                    port: 8081, portPrefixLength: 14)).abi(generation: 1)
        #expect(key.endpoint_id == 7)
        #expect(key.identity == 1234)
        // The direction in bit 0, the generation in bit 1.
        #expect(UInt32(key.direction) == HEDGEROW_DIR_INGRESS.rawValue | 1 << HEDGEROW_POLICY_GENERATION_SHIFT)
        #expect(PolicyMapKey.generation(of: key) == 1)
        #expect(key.protocol == 6)
        // Network byte order, host bits below the prefix cleared: 8081/14 is 8080.
        withUnsafeBytes(of: key.port) { #expect(Array($0) == [0x1f, 0x90]) }
    }

    @Test func roundTripsThroughTheABI() {
        let keys = [
            PolicyEntry.Key(direction: .egress, remote: .world, proto: 0),
            PolicyEntry.Key(direction: .ingress, remote: .any, proto: 132, port: 5000, portPrefixLength: 16),
            PolicyEntry.Key(direction: .ingress, remote: SecurityIdentity(rawValue: 1 << 24 | 5), proto: 6, port: 0, portPrefixLength: 1),
        ]
        for key in keys {
            let mapKey = PolicyMapKey(endpointID: 42, key)
            for generation in UInt8(0)...1 {
                #expect(PolicyMapKey(abi: mapKey.abi(generation: generation)) == mapKey)
                #expect(PolicyMapKey(abi: mapKey.abi(generation: generation))?.policyKey == key)
                #expect(PolicyMapKey.generation(of: mapKey.abi(generation: generation)) == generation)
            }
        }
        let value = PolicyMapValue(action: .deny, cookie: 17, matchBits: 8)
        #expect(PolicyMapValue(abi: value.abi) == value)
        #expect(value.abi.action == UInt8(HEDGEROW_POLICY_DENY.rawValue))
    }

    @Test func policyFlagsFollowEnforcementAndEntries() {
        let policy = EndpointPolicy(ingressEnforced: true, egressEnforced: false, entries: [
            PolicyEntry(key: .init(direction: .egress, remote: .any, proto: 6, port: 25, portPrefixLength: 16), action: .deny),
        ])
        #expect(EndpointPolicyFlags(policy) == [.enforceIngress, .rulesEgress])
        let word = EndpointFlagsWord.compose(active: true, policy: EndpointPolicyFlags(policy), generation: 1, revision: 0x2BCDEF)
        #expect(EndpointFlagsWord.policy(word) == [.enforceIngress, .rulesEgress])
        #expect(EndpointFlagsWord.generation(word) == 1)
        #expect(EndpointFlagsWord.revision(word) == 0x2BCDEF)
        #expect(word & HEDGEROW_EP_F_ACTIVE.rawValue != 0)
        // 22 bits of revision above 10 bits of flags.
        #expect(EndpointFlagsWord.nextRevision(after: 0x3FFFFF) == 0)
    }

    /// Audit entries do not count as the enforced view's rules; the audit bits say which
    /// directions consult the audit view and whether it defaults to deny there.
    @Test func auditFlagsFollowTheAuditModes() {
        var auditDeny = PolicyEntry(key: .init(direction: .ingress, remote: .any, proto: 6, port: 81, portPrefixLength: 16), action: .deny)
        auditDeny.key.view = .audit
        let policy = EndpointPolicy(entries: [auditDeny], ingressAudit: .defaultDeny, egressAudit: .rulesOnly)
        let flags = EndpointPolicyFlags(policy)
        #expect(flags == [.auditIngress, .auditEnforceIngress, .auditEgress])
        let word = EndpointFlagsWord.compose(active: true, policy: flags, generation: 0, revision: 0x3FFFFF)
        #expect(EndpointFlagsWord.policy(word) == flags)
        #expect(EndpointFlagsWord.revision(word) == 0x3FFFFF)
        // The view bit sits in the key's direction byte, beside the generation.
        let mapKey = PolicyMapKey(endpointID: 9, auditDeny.key)
        #expect(mapKey.abi(generation: 1).direction == UInt8(HEDGEROW_DIR_INGRESS.rawValue) | 1 << 1 | 1 << 2)
        #expect(PolicyMapKey(abi: mapKey.abi(generation: 1))?.policyKey == auditDeny.key)
    }
}
