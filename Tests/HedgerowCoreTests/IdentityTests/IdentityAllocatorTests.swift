import Foundation
import Testing

@testable import HedgerowCore

@Suite struct IdentityAllocatorTests {
    let web: Labels = ["app": "web"]
    let db: Labels = ["app": "db"]

    @Test func allocatesFrom256AndSharesEqualLabelSets() {
        var allocator = IdentityAllocator()
        let first = allocator.allocate(web)
        let second = allocator.allocate(db)
        #expect(first.rawValue == 256 && second.rawValue == 257)
        #expect(allocator.allocate(["app": "web"]) == first)
        #expect(allocator.references(of: web) == 2)
        #expect(allocator.labels(of: first) == web)
        #expect(allocator.identity(for: db) == second)
        #expect(!first.isReserved && !first.isLocalCIDR)
    }

    @Test func releasesAtZeroAndReusesTheLowestNumber() {
        var allocator = IdentityAllocator()
        let web = allocator.allocate(web)
        allocator.allocate(self.web)
        _ = allocator.allocate(db)
        let stillHeld = allocator.release(self.web)
        #expect(!stillHeld && allocator.identity(for: self.web) == web)
        let freed = allocator.release(self.web)
        #expect(freed && allocator.identity(for: self.web) == nil && allocator.labels(of: web) == nil)
        let unknown = allocator.release(self.web)
        #expect(!unknown)
        // The freed number goes to the next new label set.
        #expect(allocator.allocate(["app": "cache"]) == web)
    }

    @Test func cidrIdentitiesAreNodeLocal() {
        var allocator = IdentityAllocator()
        let prefix = IPPrefix("10.0.0.0/8")!
        let identity = allocator.allocate(cidr: prefix)
        #expect(identity.rawValue == 1 << 24 | 1)
        #expect(identity.isLocalCIDR && !identity.isReserved)
        #expect(allocator.allocate(cidr: IPPrefix("10.0.0.0/8")!) == identity)
        #expect(allocator.cidr(of: identity) == prefix)
        #expect(allocator.allocate(cidr: IPPrefix("192.168.0.0/16")!).rawValue == 1 << 24 | 2)
        let stillHeld = allocator.release(cidr: prefix)
        let freed = allocator.release(cidr: prefix)
        #expect(!stillHeld && freed)
        #expect(allocator.identity(for: prefix) == nil)
    }

    @Test func reservedIdentitiesKeepCiliumsNumbers() {
        #expect(SecurityIdentity.host.rawValue == 1 && SecurityIdentity.world.rawValue == 2)
        #expect(SecurityIdentity.remoteNode.rawValue == 6 && SecurityIdentity.kubeAPIServer.rawValue == 7)
        #expect(SecurityIdentity.world.isReserved && SecurityIdentity.world.reservedName == "world")
    }

    @Test func codableRoundTrip() throws {
        var allocator = IdentityAllocator()
        allocator.allocate(web)
        allocator.allocate(web)
        allocator.allocate(db)
        allocator.allocate(cidr: IPPrefix("fd00::/64")!)
        let data = try JSONEncoder().encode(allocator)
        let decoded = try JSONDecoder().decode(IdentityAllocator.self, from: data)
        #expect(decoded == allocator)
        #expect(decoded.references(of: web) == 2)
    }

    @Test func restoringKeepsNumbersAndCountsReferencesAnew() {
        var before = IdentityAllocator()
        before.allocate(["app": "a"])
        let b = before.allocate(["app": "b"])
        before.allocate(["app": "c"])
        let cidr = before.allocate(cidr: IPPrefix("10.0.0.0/8")!)
        // After a restart the pods come back in another order, and "a" is gone.
        var after = IdentityAllocator.restoring(from: before)
        let fresh = after.allocate(["app": "new"])
        #expect(after.allocate(["app": "b"]) == b)
        #expect(after.allocate(cidr: IPPrefix("10.0.0.0/8")!) == cidr)
        #expect(after.references(of: ["app": "b"]) == 1)
        // A new label set does not take a number promised to a restored one.
        #expect(![256, 257, 258].contains(fresh.rawValue))
        after.forgetPreferences()
        #expect(after.allocate(["app": "later"]).rawValue == 256)
    }

    @Test func theCompilerRestoresIdentitiesAcrossARestart() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}"))
        let first = cluster.compiler()
        // The restarted agent sees the pods in another order (here: one more pod first).
        cluster.pods.insert(Pod(namespace: "a", name: "first", labels: ["new": "pod"]), at: 0)
        let restarted = PolicyCompiler(inputs: cluster.inputs, allocator: .restoring(from: first.allocator))
        for pod in cluster.pods.dropFirst() {
            #expect(restarted.identity(of: pod.namespacedName) == first.identity(of: pod.namespacedName))
        }
    }
}

@Suite struct IPCacheTests {
    @Test func unknownAddressesAreWorld() {
        let cache = IPCache()
        #expect(cache.lookup(IPAddress("8.8.8.8")!) == .world)
        #expect(cache.lookup(IPAddress("2001:db8::1")!) == .world)
    }

    @Test func longestPrefixWins() {
        let pod = SecurityIdentity(rawValue: 300)
        let wide = SecurityIdentity(rawValue: 1 << 24 | 1)
        let narrow = SecurityIdentity(rawValue: 1 << 24 | 2)
        let cache = IPCache(
            podAddresses: [(IPAddress("10.1.2.3")!, pod)],
            cidrIdentities: [wide: IPPrefix("10.0.0.0/8")!, narrow: IPPrefix("10.1.0.0/16")!])
        #expect(cache.lookup(IPAddress("10.1.2.3")!) == pod)
        #expect(cache.lookup(IPAddress("10.1.9.9")!) == narrow)
        #expect(cache.lookup(IPAddress("10.9.9.9")!) == wide)
        #expect(cache.lookup(IPAddress("11.0.0.1")!) == .world)
    }

    @Test func aPodKeepsItsAddressAgainstAHostCIDR() {
        let pod = SecurityIdentity(rawValue: 300)
        let cidr = SecurityIdentity(rawValue: 1 << 24 | 1)
        let cache = IPCache(
            podAddresses: [(IPAddress("10.1.2.3")!, pod)], cidrIdentities: [cidr: IPPrefix("10.1.2.3/32")!])
        #expect(cache.lookup(IPAddress("10.1.2.3")!) == pod)
    }

    @Test func diffListsWritesAndDeletes() {
        let a = SecurityIdentity(rawValue: 300)
        let b = SecurityIdentity(rawValue: 301)
        let old = IPCache(
            podAddresses: [(IPAddress("10.0.0.1")!, a), (IPAddress("10.0.0.2")!, a)], cidrIdentities: [:])
        let new = IPCache(
            podAddresses: [(IPAddress("10.0.0.1")!, b), (IPAddress("10.0.0.3")!, a)], cidrIdentities: [:])
        let diff = new.diff(from: old)
        #expect(diff.upserted.map(\.description) == ["10.0.0.1/32 -> 301", "10.0.0.3/32 -> 300"])
        #expect(diff.removed.map(\.description) == ["10.0.0.2/32"])
        #expect(new.diff(from: new).isEmpty)
    }

    @Test func theCompilerKeepsTheIPCache() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16}}]}]"))
        var compiler = cluster.compiler()
        let xa = compiler.identity(of: key("x/a"))!
        #expect(compiler.ipcache.lookup(cluster.ip("x/a")) == xa)
        #expect(
            compiler.ipcache.lookup(IPAddress("192.168.3.4")!)
                == compiler.allocator.identity(for: IPPrefix("192.168.0.0/16")!))
        var pod = cluster.pods[0]
        pod.ips = [IPAddress("10.9.9.9")!]
        let update = compiler.upsert(pod: pod)
        #expect(update.ipcache.upserted.map(\.description) == ["10.9.9.9/32 -> \(xa.rawValue)"])
        #expect(update.ipcache.removed.map(\.description) == ["10.0.1.1/32"])
        // Without the policy the CIDR identity goes, and so does its entry.
        let removal = compiler.removePolicy(cluster.policies[0].reference)
        #expect(removal.ipcache.removed.map(\.description) == ["192.168.0.0/16"])
        #expect(removal.identitiesRemoved.map(\.cidr) == [IPPrefix("192.168.0.0/16")!])
    }
}
