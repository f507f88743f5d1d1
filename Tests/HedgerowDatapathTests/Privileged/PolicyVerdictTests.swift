import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// Every verdict path of the endpoint programs, with synthetic packets through BPF_PROG_TEST_RUN
/// against maps filled through the Swift binding (ipcache, policy, endpoint entry).
@Suite("Policy verdicts", .serialized) struct PolicyVerdictTests {
    static let pod = DatapathFixture.pod
    static let peerA = "10.201.1.1"  // identity 2001
    static let peerB = "10.201.2.1"  // identity 2002
    static let world = "198.51.100.7"  // no ipcache entry
    static let peerA6 = "fd00:201::a"  // identity 2001
    static let identityA: UInt32 = 2001
    static let identityB: UInt32 = 2002

    static var ipcache: [IPPrefix: SecurityIdentity] {
        [IPPrefix(Self.peerA + "/32")!: SecurityIdentity(rawValue: identityA),
         IPPrefix("10.201.2.0/24")!: SecurityIdentity(rawValue: identityB),
         IPPrefix(Self.peerA6 + "/128")!: SecurityIdentity(rawValue: identityA)]
    }

    /// Ingress enforced with a mix of rules; egress enforced with nothing allowed.
    static var policy: EndpointPolicy {
        EndpointPolicy(ingressEnforced: true, egressEnforced: true, entries: [
            allow(.ingress, identityA, 6, 80, 16, "allow A tcp/80"),
            allow(.ingress, identityA, 6, 8080, 14, "allow A tcp/8080-8083"),
            allow(.ingress, identityA, 6, 22, 16, "allow A tcp/22"),
            deny(.ingress, 0, 6, 22, 16, "deny any tcp/22"),
            allow(.ingress, 0, 17, 53, 16, "allow any udp/53"),
            allow(.ingress, identityB, 0, 0, 0, "allow B"),
            deny(.ingress, identityB, 6, 443, 16, "deny B tcp/443"),
            allow(.ingress, identityA, 132, 5000, 16, "allow A sctp/5000"),
        ].sorted())
    }

    @Test(.enabled(if: Privileged.shouldRun)) func ingressVerdicts() async throws {
        try await DatapathFixture.withPolicy(Self.policy, ipcache: Self.ipcache) { fixture, events in
            // Allowed, and its reply passes although egress is enforced and allows nothing.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80)) == passed)
            #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.peerA, 80, 40000, [.syn, .ack])) == passed)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80, .ack)) == passed)
            // The pod opening the same kind of connection itself is egress, and denied by default.
            #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.peerA, 80, 40001)) == dropped)

            // No allow: POLICY_DENIED. A port range is a prefix: 8080-8083 pass, 8084 does not.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40002, 81)) == dropped)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40003, 8081)) == passed)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40004, 8083)) == passed)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40005, 8084)) == dropped)

            // An explicit deny for any identity beats A's own allow: POLICY_DENY.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40006, 22)) == dropped)
            // A deny inside an identity's broader allow.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerB, Self.pod, 40007, 443)) == dropped)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerB, Self.pod, 40008, 444)) == passed)

            // The wildcard identity: world and B both reach udp/53, nothing else on UDP.
            #expect(try fixture.run(.toEndpoint, .udp(Self.world, Self.pod, 5353, 53)) == passed)
            #expect(try fixture.run(.toEndpoint, .udp("10.201.2.77", Self.pod, 5353, 53)) == passed)
            #expect(try fixture.run(.toEndpoint, .udp(Self.world, Self.pod, 5353, 54)) == dropped)

            // ICMP echo: B's L3 rule admits it, A has none; the echo reply goes back as a reply.
            #expect(try fixture.run(.toEndpoint, .ping(Self.peerB, Self.pod, id: 77)) == passed)
            #expect(try fixture.run(.fromEndpoint, .ping(Self.pod, Self.peerB, id: 77, request: false)) == passed)
            #expect(try fixture.run(.toEndpoint, .ping(Self.peerA, Self.pod, id: 78)) == dropped)

            // SCTP ports come from the common header.
            #expect(try fixture.run(.toEndpoint, .sctp(Self.peerA, Self.pod, 7000, 5000)) == passed)
            #expect(try fixture.run(.toEndpoint, .sctp(Self.peerA, Self.pod, 7000, 5001)) == dropped)

            // IPv6 goes through the same ipcache and policy.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA6, DatapathFixture.pod6, 41000, 80)) == passed)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA6, DatapathFixture.pod6, 41001, 81)) == dropped)

            // Non-IP frames (ARP) pass untouched.
            #expect(try fixture.run(.toEndpoint, bytes: [UInt8](repeating: 0xff, count: 12) + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)) == passed)

            #expect(try fixture.drops(.policyDenied, .ingress) == 6)
            #expect(try fixture.drops(.policyDeny, .ingress) == 2)
            #expect(try fixture.drops(.policyDenied, .egress) == 1)

            // Drops always make events; so do new connections and first replies (medium).
            let seen = await events.wait(for: 20)
            let drops = seen.filter { $0.verdict == .dropped }
            #expect(drops.count == 9)
            let denied81 = try #require(drops.first { $0.l4?.destinationPort == 81 && $0.ip.source == IPAddress(Self.peerA) })
            #expect(denied81.dropReason == .policyDenied)
            #expect(denied81.direction == .ingress && denied81.observationPoint == .toEndpoint)
            #expect(denied81.sourceIdentity.rawValue == Self.identityA && denied81.destinationIdentity.rawValue == DatapathFixture.identity)
            #expect(denied81.l4 == .tcp(sourcePort: 40002, destinationPort: 81, flags: .syn))
            #expect(denied81.endpointID == DatapathFixture.endpointID && denied81.traceReason == .new)
            let denied22 = try #require(drops.first { $0.l4?.destinationPort == 22 })
            #expect(denied22.dropReason == .policyDeny)
            #expect(fixture.datapath.policy.origins(cookie: denied22.policyCookie) == ["deny any tcp/22"])
            #expect(denied22.policyMatchType == 3)  // L4-only: the deny is for any identity

            let opened = try #require(seen.first { $0.verdict == .forwarded && $0.l4?.destinationPort == 80 && $0.ip.source == IPAddress(Self.peerA) })
            #expect(opened.traceReason == .new && opened.reportReason == .newConnection && !opened.isReply)
            #expect(opened.policyMatchType == 2)  // L3-L4
            #expect(fixture.datapath.policy.origins(cookie: opened.policyCookie) == ["allow A tcp/80"])
            let reply = try #require(seen.first { $0.verdict == .forwarded && $0.l4?.sourcePort == 80 })
            #expect(reply.isReply && reply.traceReason == .reply && reply.reportReason == .firstReply)
            #expect(reply.direction == .egress && reply.observationPoint == .fromEndpoint)
            #expect(reply.sourceIdentity.rawValue == DatapathFixture.identity && reply.destinationIdentity.rawValue == Self.identityA)
            #expect(reply.l4 == .tcp(sourcePort: 80, destinationPort: 40000, flags: [.syn, .ack]))
            // The third packet (an ACK of an established connection) is not reported at medium.
            #expect(!seen.contains { $0.l4?.tcpFlags == .ack })
            let ping = try #require(seen.first { $0.l4 == .icmpv4(type: 8, code: 0) })
            #expect(ping.verdict == .forwarded && ping.policyMatchType == 1)  // L3-only
            let udpWorld = try #require(seen.first { $0.ip.source == IPAddress(Self.world) && $0.verdict == .forwarded })
            #expect(udpWorld.sourceIdentity == .world && udpWorld.policyMatchType == 3)
            let v6 = try #require(seen.first { $0.ip.source == IPAddress(Self.peerA6) && $0.verdict == .forwarded })
            #expect(v6.ip.destination == IPAddress(DatapathFixture.pod6) && v6.sourceIdentity.rawValue == Self.identityA)
        }
    }

    /// A direction no policy selects passes everything but explicit denies.
    @Test(.enabled(if: Privileged.shouldRun)) func notEnforcedDirection() throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        try fixture.datapath.ipcache.apply(Self.ipcache)
        try fixture.apply(EndpointPolicy(ingressEnforced: true, egressEnforced: false, entries: [
            deny(.egress, 0, 6, 25, 16, "no smtp"),
        ]))
        #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.world, 40000, 443)) == passed)
        #expect(try fixture.run(.fromEndpoint, .udp(Self.pod, Self.peerA, 40000, 9999)) == passed)
        #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.world, 40001, 25)) == dropped)
        // The ingress side is enforced with nothing allowed, yet replies to the pod pass.
        #expect(try fixture.run(.toEndpoint, .tcp(Self.world, Self.pod, 443, 40000, [.syn, .ack])) == passed)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.world, Self.pod, 443, 40009)) == dropped)
        #expect(try fixture.drops(.policyDeny, .egress) == 1)
        #expect(try fixture.drops(.policyDenied, .ingress) == 1)

        // No policy at all: everything passes, without lookups.
        try fixture.apply(EndpointPolicy())
        #expect(try fixture.run(.toEndpoint, .tcp(Self.world, Self.pod, 443, 40010)) == passed)
        #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.world, 40002, 25)) == passed)
    }

    /// Changing the policy re-checks established connections at their next forward packet;
    /// replies keep passing.
    @Test(.enabled(if: Privileged.shouldRun)) func establishedConnectionsFollowPolicyChanges() throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        try fixture.datapath.ipcache.apply(Self.ipcache)
        try fixture.apply(Self.policy)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80)) == passed)
        #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.peerA, 80, 40000, [.syn, .ack])) == passed)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80, .ack)) == passed)

        var narrowed = Self.policy
        narrowed.entries.removeAll { $0.origins == ["allow A tcp/80"] }
        let report = try fixture.datapath.policy.apply(narrowed, endpointID: DatapathFixture.endpointID,
                                                       interfaceIndex: fixture.endpoint.interfaceIndex)
        // The inactive generation was empty: the whole narrowed policy is written there, then switched to.
        #expect(report.published && report.writes == 7 && report.endpointInstalled)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80, .ack)) == dropped)
        #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.peerA, 80, 40000, .ack)) == passed)

        // Restored: the connection continues.
        try fixture.apply(Self.policy)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80, .ack)) == passed)
        let connection = try #require(try fixture.datapath.connections(endpointID: DatapathFixture.endpointID)
            .first { $0.destinationPort == 80 && $0.ipProtocol == 6 })
        #expect(connection.direction == .ingress && connection.replySeen)
        #expect(connection.source == IPAddress(Self.peerA) && connection.remoteIdentity.rawValue == Self.identityA)
        // Conntrack keeps kernel ticks; read back they are CLOCK_MONOTONIC times (tick resolution).
        let now = WallClock.monotonicNow()
        #expect(connection.createdNanoseconds <= now + 50_000_000 && connection.createdNanoseconds + 60_000_000_000 > now)
        let lifetime = Int64(connection.expiresNanoseconds) - Int64(connection.createdNanoseconds)
        #expect(abs(lifetime - 21_600_000_000_000) < 120_000_000_000)  // established TCP: 6 h from its last packet
    }

    /// Expired entries count as absent for the programs and go when purged.
    @Test(.enabled(if: Privileged.shouldRun)) func expiredConnections() async throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        var settings = DatapathSettings()
        settings.otherLifetime = .seconds(1)
        try fixture.datapath.configure(settings)
        #expect(try fixture.datapath.settings() == settings)
        #expect(try fixture.run(.toEndpoint, .udp(Self.world, Self.pod, 5000, 53)) == passed)
        #expect(try fixture.datapath.purgeExpiredConnections() == 0)
        #expect(try fixture.datapath.connections().count == 1)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try fixture.datapath.purgeExpiredConnections() == 1)
        #expect(try fixture.datapath.connections().isEmpty)
    }

    /// Malformed and fragmented packets.
    @Test(.enabled(if: Privileged.shouldRun)) func fragmentsAndTruncatedHeaders() throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        try fixture.datapath.ipcache.apply(Self.ipcache)
        try fixture.apply(Self.policy)

        var first = TestPacket.udp(Self.world, Self.pod, 5353, 53)
        first.moreFragments = true
        first.payload = 64
        #expect(try fixture.run(.toEndpoint, first) == passed)
        var later = TestPacket(source: IPAddress(Self.world)!, destination: IPAddress(Self.pod)!, transport: .none(proto: 17))
        later.fragmentOffset = 9
        later.payload = 40
        #expect(try fixture.run(.toEndpoint, later) == passed)
        later.identification = 0x9999
        #expect(try fixture.run(.toEndpoint, later) == dropped)
        #expect(try fixture.drops(DropReason(rawValue: 175), .ingress) == 1)

        let truncated = Array(TestPacket.tcp(Self.peerA, Self.pod, 40000, 80).bytes.prefix(14 + 20 + 10))
        #expect(try fixture.run(.toEndpoint, bytes: truncated) == dropped)
        #expect(try fixture.drops(.ctTruncatedOrInvalidHeader, .ingress) == 1)
    }

    /// ICMP errors about a tracked connection pass as related; unrelated ones meet the policy.
    /// IPv6 extension headers are walked to the transport header.
    @Test(.enabled(if: Privileged.shouldRun)) func icmpErrorsAndIPv6ExtensionHeaders() async throws {
        try await DatapathFixture.withPolicy(EndpointPolicy(ingressEnforced: true, egressEnforced: false, entries: [
                allow(.ingress, Self.identityA, 6, 80, 16, "allow A tcp/80"),
            ]), ipcache: Self.ipcache) { fixture, events in
            // The pod sends a UDP query out; the world answers with "port unreachable".
            let query = TestPacket.udp(Self.pod, Self.world, 33000, 53)
            #expect(try fixture.run(.fromEndpoint, query) == passed)
            let unreachable = TestPacket(source: IPAddress(Self.world)!, destination: IPAddress(Self.pod)!,
                                         transport: .icmpUnreachable(quoted: query.quoted))
            #expect(try fixture.run(.toEndpoint, unreachable) == passed)
            // About a connection that never was: just an ICMP packet, and ingress allows no ICMP.
            let stray = TestPacket(source: IPAddress(Self.world)!, destination: IPAddress(Self.pod)!,
                                   transport: .icmpUnreachable(quoted: TestPacket.udp(Self.pod, Self.world, 33001, 53).quoted))
            #expect(try fixture.run(.toEndpoint, stray) == dropped)
            // A remote's TCP SYN refused by the pod: the RST and an ICMP error going out are replies/related.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80)) == passed)
            let syn = TestPacket.tcp(Self.peerA, Self.pod, 40000, 80)
            let refusal = TestPacket(source: IPAddress(Self.pod)!, destination: IPAddress(Self.peerA)!,
                                     transport: .icmpUnreachable(quoted: syn.quoted))
            #expect(try fixture.run(.fromEndpoint, refusal) == passed)

            // IPv6 with two hop-by-hop headers before TCP: the ports are found and policy applies.
            var allowed6 = TestPacket.tcp(Self.peerA6, DatapathFixture.pod6, 41000, 80)
            allowed6.hopByHopHeaders = 2
            #expect(try fixture.run(.toEndpoint, allowed6) == passed)
            var denied6 = TestPacket.tcp(Self.peerA6, DatapathFixture.pod6, 41001, 81)
            denied6.hopByHopHeaders = 2
            #expect(try fixture.run(.toEndpoint, denied6) == dropped)
            var tooMany = TestPacket.tcp(Self.peerA6, DatapathFixture.pod6, 41002, 80)
            tooMany.hopByHopHeaders = 5
            #expect(try fixture.run(.toEndpoint, tooMany) == dropped)
            #expect(try fixture.drops(DropReason(rawValue: 156), .ingress) == 1)

            let seen = await events.wait(for: 7)
            let related = seen.filter { $0.traceReason == .related }
            #expect(related.count == 2)
            #expect(related.allSatisfy { $0.verdict == .forwarded && $0.l4 == .icmpv4(type: 3, code: 3) })
            let v6 = try #require(seen.first { $0.ip.source == IPAddress(Self.peerA6) && $0.verdict == .forwarded })
            #expect(v6.l4 == .tcp(sourcePort: 41000, destinationPort: 80, flags: .syn))
        }
    }

    /// The kernel's longest-prefix match agrees with the table IPCacheSync wrote, through changes.
    @Test(.enabled(if: Privileged.shouldRun)) func ipcacheLookups() throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        let ipcache = fixture.datapath.ipcache
        try ipcache.apply(Self.ipcache)
        #expect(try ipcache.identity(of: IPAddress(Self.peerA)!).rawValue == Self.identityA)
        #expect(try ipcache.identity(of: IPAddress("10.201.2.200")!).rawValue == Self.identityB)
        #expect(try ipcache.identity(of: IPAddress(Self.world)!) == .world)
        #expect(try ipcache.identity(of: IPAddress(Self.peerA6)!).rawValue == Self.identityA)
        let report = try ipcache.update([IPPrefix("10.201.2.0/24")!: nil, IPPrefix("10.201.0.0/16")!: SecurityIdentity(rawValue: 1 << 24 | 9)])
        #expect(report == IPCacheSyncReport(written: 1, removed: 1))
        #expect(try ipcache.identity(of: IPAddress("10.201.2.200")!).rawValue == 1 << 24 | 9)
        #expect(try ipcache.identity(of: IPAddress(Self.peerA)!).rawValue == Self.identityA)
        #expect(ipcache.entries.count == 3)
        // A second sync object over the same pinned map adopts what is there: no writes needed.
        let again = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: fixture.pinRoot)
        #expect(again.ipcache.entries == ipcache.entries)
        #expect(try again.ipcache.apply(ipcache.entries) == IPCacheSyncReport())
    }

    /// A policy applied before the endpoint's entry exists is in force from its first packet.
    @Test(.enabled(if: Privileged.shouldRun)) func policyAppliedBeforeInstall() throws {
        try Privileged.require()
        let fixture = try DatapathFixture()
        defer { fixture.destroy() }
        try fixture.datapath.removeEntry(interfaceIndex: fixture.endpoint.interfaceIndex)
        let report = try fixture.datapath.policy.apply(Self.policy, endpointID: DatapathFixture.endpointID,
                                                       interfaceIndex: fixture.endpoint.interfaceIndex)
        #expect(!report.endpointInstalled && !report.waitedForBarrier)
        _ = try fixture.datapath.installEntry(fixture.endpoint)
        try fixture.datapath.ipcache.apply(Self.ipcache)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 81)) == dropped)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40000, 80)) == passed)
        // A reinstall (a restarted agent, a new identity) keeps enforcement.
        var relabelled = fixture.endpoint
        relabelled.identity = 1001
        _ = try fixture.datapath.installEntry(relabelled)
        #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 40001, 81)) == dropped)
        // Removing the endpoint removes its entries.
        try fixture.datapath.remove(endpointID: DatapathFixture.endpointID, interfaceIndex: fixture.endpoint.interfaceIndex,
                                    interfaceExists: false)
        #expect(try fixture.datapath.policy.installedEntries(endpointID: DatapathFixture.endpointID).isEmpty)
        #expect(try fixture.datapath.connections(endpointID: DatapathFixture.endpointID).isEmpty)
    }
}
