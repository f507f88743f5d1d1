import HedgerowCore
import Testing

@testable import HedgerowDatapath

@Suite struct IPCacheSyncPlanTests {
    static func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }
    static func id(_ value: UInt32) -> SecurityIdentity { SecurityIdentity(rawValue: value) }

    @Test func writesLongestFirstAndDeletesShortestFirst() {
        let current = [Self.prefix("10.0.0.0/8"): Self.id(1 << 24 | 1), Self.prefix("10.1.0.0/16"): Self.id(1 << 24 | 2),
                       Self.prefix("10.1.2.3/32"): Self.id(256)]
        let desired = [Self.prefix("10.0.0.0/9"): Self.id(1 << 24 | 3), Self.prefix("10.1.2.4/32"): Self.id(257),
                       Self.prefix("fd00::/64"): Self.id(1 << 24 | 4), Self.prefix("10.1.2.3/32"): Self.id(256)]
        let plan = IPCacheSyncPlan(current: current, desired: desired)
        // fd00::/64 is 64 bits long in the key; 10.1.2.4/32 is 128; 10.0.0.0/9 is 105.
        #expect(plan.upserts.map(\.prefix) == [Self.prefix("10.1.2.4/32"), Self.prefix("10.0.0.0/9"), Self.prefix("fd00::/64")])
        #expect(plan.deletions == [Self.prefix("10.0.0.0/8"), Self.prefix("10.1.0.0/16")])
    }

    /// Every lookup during a change answers with the old table's identity or the new one's.
    @Test func everyIntermediateLookupIsOldOrNew() {
        var random = SplitMix(seed: 7)
        let pool = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "10.1.3.0/24", "0.0.0.0/0", "10.128.0.0/9"]
            .map(Self.prefix)
        let probes = ["10.1.2.3", "10.1.2.9", "10.1.3.1", "10.2.0.1", "10.200.0.1", "192.0.2.1"].map { IPAddress($0)! }
        func table() -> [IPPrefix: SecurityIdentity] {
            Dictionary(pool.filter { _ in random.next(below: 2) == 0 }.map { ($0, Self.id(UInt32(256 + random.next(below: 4)))) },
                       uniquingKeysWith: { a, _ in a })
        }
        func lookup(_ table: [IPPrefix: SecurityIdentity], _ address: IPAddress) -> SecurityIdentity {
            table.filter { $0.key.contains(address) }.max { $0.key.length < $1.key.length }?.value ?? .world
        }
        for _ in 0..<200 {
            let old = table(), new = table()
            let plan = IPCacheSyncPlan(current: old, desired: new)
            var state = old
            var states = [state]
            for (prefix, identity) in plan.upserts { state[prefix] = identity; states.append(state) }
            for prefix in plan.deletions { state[prefix] = nil; states.append(state) }
            #expect(state == new)
            for intermediate in states {
                for address in probes {
                    let seen = lookup(intermediate, address)
                    #expect(seen == lookup(old, address) || seen == lookup(new, address), "\(address) in \(intermediate)")
                }
            }
        }
    }

    @Test func keysPlaceIPv4InsideTheMappedRange() {
        let key = IPCacheSync.key(Self.prefix("192.168.0.0/16"))
        #expect(key.prefixlen == 112)
        withUnsafeBytes(of: key.addr) { #expect(Array($0) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 0, 0]) }
        #expect(ABIAddress.prefix(key.addr, length: key.prefixlen) == Self.prefix("192.168.0.0/16"))
        let v6 = IPCacheSync.key(Self.prefix("fd00:1::/32"))
        #expect(v6.prefixlen == 32)
        #expect(ABIAddress.prefix(v6.addr, length: v6.prefixlen) == Self.prefix("fd00:1::/32"))
    }
}
