import Testing

@testable import HedgerowCore

@Suite struct IncrementalCompilerTests {
    /// x/a accepts pod=b of its namespace on 80; everything else in x is isolated for ingress.
    static func cluster() -> TestCluster {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}", name: "deny-all"))
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: 80}]}]",
                name: "allow-b"))
        return cluster
    }

    func pod(_ compiler: PolicyCompiler, _ name: String) -> Pod { compiler.inputs.pods[key(name)]! }

    @Test func aLabelChangeOutsideEveryRuleTouchesOnlyItsOwnEndpoint() {
        var compiler = Self.cluster().compiler()
        var pod = pod(compiler, "y/c")
        pod.labels["version"] = "v2"
        let update = compiler.upsert(pod: pod)
        #expect(update.recompiledEndpoints == 1 && update.patchedEndpoints == 0)
        #expect(update.endpoints.isEmpty)
        #expect(update.identitiesAdded.count == 1 && update.identitiesRemoved.count == 1)
    }

    @Test func aPeerLeavingARuleChangesOnlyTheEndpointsThatNamedIt() throws {
        var compiler = Self.cluster().compiler()
        let oldIdentity = try #require(compiler.identity(of: key("x/b")))
        var pod = pod(compiler, "x/b")
        pod.labels["pod"] = "bee"
        let update = compiler.upsert(pod: pod)
        #expect(update.recompiledEndpoints == 1)
        #expect(update.endpoints.map(\.endpoint.description) == ["x/a"])
        let change = update.endpoints[0]
        #expect(change.kind == .updated && change.added.isEmpty)
        #expect(change.removed.map(\.key.remote) == [oldIdentity])
        #expect(!change.ingressEnforcementChanged)
        #expect(try !compiler.trace(PolicyTraceQuery(from: key("x/b"), to: key("x/a"), port: 80)).isAllowed)
    }

    @Test func aPeerJoiningARuleAddsItsEntry() throws {
        var compiler = Self.cluster().compiler()
        var pod = pod(compiler, "x/c")
        pod.labels["pod"] = "b"
        let update = compiler.upsert(pod: pod)
        // x/c now shares x/b's identity, so x/a's entries do not change.
        #expect(compiler.identity(of: key("x/c")) == compiler.identity(of: key("x/b")))
        #expect(update.endpoints.filter { $0.endpoint == key("x/a") }.isEmpty)
        #expect(try compiler.trace(PolicyTraceQuery(from: key("x/c"), to: key("x/a"), port: 80)).isAllowed)
        pod.labels["extra"] = "yes"
        let second = compiler.upsert(pod: pod)
        #expect(
            second.endpoints.first { $0.endpoint == key("x/a") }?.added.map(\.key.remote) == [
                compiler.identity(of: key("x/c"))!
            ])
    }

    @Test func aSubjectChangeRecompilesTheEndpoint() {
        var compiler = Self.cluster().compiler()
        var pod = pod(compiler, "x/c")
        pod.labels["pod"] = "a"
        let update = compiler.upsert(pod: pod)
        let change = update.endpoints.first { $0.endpoint == key("x/c") }
        #expect(change?.added.count == 1 && change?.added[0].key.port == 80)
    }

    @Test func namespaceLabelsMoveWholeNamespaces() throws {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {trusted: \"yes\"}}}]}]"
            ))
        var compiler = cluster.compiler()
        #expect(try !compiler.trace(PolicyTraceQuery(from: key("y/b"), to: key("x/a"), port: 80)).isAllowed)
        let update = compiler.upsert(namespace: Namespace(name: "y", labels: ["ns": "y", "trusted": "yes"]))
        #expect(update.identitiesAdded.count == 3)
        #expect(update.endpoints.first { $0.endpoint == key("x/a") }?.added.count == 3)
        #expect(try compiler.trace(PolicyTraceQuery(from: key("y/b"), to: key("x/a"), port: 80)).isAllowed)
    }

    @Test func policyAddUpdateAndDelete() throws {
        var cluster = TestCluster()
        var compiler = cluster.compiler()
        cluster.add(networkPolicyYAML("  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 80}]}]"))
        let added = compiler.upsert(policy: cluster.policies[0])
        #expect(added.endpoints.map(\.endpoint.description) == ["x/a"])
        #expect(added.endpoints[0].ingressEnforcementChanged)
        #expect(added.endpoints[0].added.map(\.description) == ["ingress any 6:80/16 allow", "ingress 1 any:* allow"])

        let updated = decodePolicy(
            networkPolicyYAML("  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 81}]}]"))!
        let change = compiler.upsert(policy: updated)
        #expect(change.endpoints.count == 1)
        #expect(change.endpoints[0].added.map(\.description) == ["ingress any 6:81/16 allow"])
        #expect(change.endpoints[0].removed.map(\.description) == ["ingress any 6:80/16 allow"])
        #expect(!change.endpoints[0].ingressEnforcementChanged)

        let deleted = compiler.removePolicy(updated.reference)
        #expect(deleted.endpoints.count == 1 && deleted.endpoints[0].ingressEnforcementChanged)
        #expect(compiler.endpointPolicies[key("x/a")] == EndpointPolicy())
        #expect(compiler.upsert(policy: updated).endpoints.count == 1)
        #expect(compiler.upsert(policy: updated).isEmpty)
    }

    @Test func endpointsComeAndGo() {
        let cluster = Self.cluster()
        var compiler = PolicyCompiler()
        var inputs = cluster.inputs
        inputs.localEndpoints = [key("x/a")]
        let first = compiler.update(to: inputs)
        #expect(first.endpoints.map(\.endpoint.description) == ["x/a"])
        #expect(first.endpoints[0].kind == .created)
        let more = compiler.setLocalEndpoints([key("x/a"), key("x/b")])
        #expect(more.endpoints.map(\.endpoint.description) == ["x/b"])
        let gone = compiler.removePod(key("x/a"))
        #expect(gone.endpoints.map(\.kind) == [.deleted])
        #expect(gone.endpoints[0].removed.count == 2)
        #expect(compiler.endpointPolicies.keys.map(\.description) == ["x/b"])
    }

    @Test func hostNetworkPodsHaveNoIdentityOrEndpoint() {
        var cluster = Self.cluster()
        cluster.pods.append(
            Pod(
                namespace: "x", name: "node-agent", labels: ["pod": "b"], hostNetwork: true,
                ips: [IPAddress("192.168.0.10")!]))
        let compiler = cluster.compiler()
        #expect(compiler.identity(of: key("x/node-agent")) == nil)
        #expect(compiler.endpointPolicies[key("x/node-agent")] == nil)
        #expect(compiler.ipcache.lookup(IPAddress("192.168.0.10")!) == .world)
    }

    // MARK: Incremental equals full

    /// Random changes; after each, the incremental result must equal a full compile of the same
    /// inputs, and applying the reported diffs to the previous policies must give the new ones.
    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func randomChangesMatchAFullCompile(seed: UInt64) throws {
        var random = TestRandom(seed: seed)
        var cluster = TestCluster()
        let pool = Self.policyPool()
        cluster.policies = Array(pool.prefix(4))
        var compiler = cluster.compiler()
        for step in 0..<60 {
            let before = compiler.endpointPolicies
            var inputs = compiler.inputs
            let podKey = inputs.pods.keys.sorted()[random.below(inputs.pods.count)]
            switch random.below(9) {
            case 0, 1:
                inputs.pods[podKey]!.labels["pod"] = ["a", "b", "c", "d"][random.below(4)]
            case 2:
                inputs.pods[podKey]!.labels["tier"] = random.below(2) == 0 ? "web" : nil
            case 3:
                inputs.pods[podKey]!.containers[0].ports[0].port = [80, 8080, 9000][random.below(3)]
            case 4:
                inputs.pods[podKey]!.ips = [IPAddress("10.0.\(random.below(4) + 1).\(random.below(200) + 10)")!]
            case 5:
                let namespace = TestCluster.namespaceNames[random.below(3)]
                inputs.namespaces[namespace] = Namespace(
                    name: namespace, labels: ["ns": namespace, "trusted": random.below(2) == 0 ? "yes" : "no"])
            case 6:
                let policy = pool[random.below(pool.count)]
                if inputs.policies[policy.reference] == policy {
                    inputs.policies[policy.reference] = nil
                } else {
                    inputs.policies[policy.reference] = policy
                }
            case 7:
                if random.below(2) == 0 {
                    inputs.localEndpoints.remove(podKey)
                } else {
                    inputs.localEndpoints.insert(podKey)
                }
            default:
                if inputs.pods.count > 20 {
                    inputs.pods[podKey] = nil
                } else {
                    inputs.pods[NamespacedName(namespace: "z", name: "extra-\(step)")] = Pod(
                        namespace: "z", name: "extra-\(step)", labels: ["pod": "b"],
                        containers: [Container(ports: [ContainerPort(name: "serve-80-tcp", port: 80)])],
                        ips: [IPAddress("10.0.3.\(100 + step)")!])
                }
            }
            let update = compiler.update(to: inputs)
            let full = PolicyCompiler(inputs: inputs, allocator: .restoring(from: compiler.allocator))
            #expect(compiler.endpointPolicies == full.endpointPolicies, "seed \(seed) step \(step)")
            #expect(compiler.ipcache == full.ipcache, "seed \(seed) step \(step)")
            #expect(applying(update, to: before) == stripped(compiler.endpointPolicies), "seed \(seed) step \(step)")
            for change in update.endpoints where change.kind == .updated {
                #expect(change.policy == compiler.endpointPolicies[change.endpoint])
                let remotes = [SecurityIdentity.any, .host, .world] + compiler.podIdentities.keys.sorted()
                #expect(
                    leaks(from: before[change.endpoint]!, change: change, remotes: remotes).isEmpty,
                    "seed \(seed) step \(step) \(change.endpoint)")
            }
        }
    }

    /// Applies a change one map operation at a time in the documented order and returns the
    /// packets some intermediate state lets through that neither the old nor the new policy does.
    func leaks(
        from old: EndpointPolicy, change: EndpointPolicyChange, remotes: [SecurityIdentity],
        addingAllowsFirst: Bool = false
    ) -> [String] {
        guard let new = change.policy else { return [] }
        let addedKeys = Set(change.added.map(\.key))
        var state = old
        var states: [EndpointPolicy] = []
        func upsert(_ entry: PolicyEntry) {
            state.entries.removeAll { $0.key == entry.key }
            state.entries.append(entry)
            states.append(state)
        }
        func delete(_ entry: PolicyEntry) {
            state.entries.removeAll { $0.key == entry.key }
            states.append(state)
        }
        for entry in change.added where entry.action == .deny { upsert(entry) }
        if old.ingressEnforced && !new.ingressEnforced {
            state.ingressEnforced = false
            states.append(state)
        }
        if old.egressEnforced && !new.egressEnforced {
            state.egressEnforced = false
            states.append(state)
        }
        if addingAllowsFirst {
            for entry in change.added where entry.action == .allow { upsert(entry) }
            for entry in change.removed where entry.action == .allow && !addedKeys.contains(entry.key) { delete(entry) }
        } else {
            for entry in change.removed where entry.action == .allow && !addedKeys.contains(entry.key) { delete(entry) }
            for entry in change.added where entry.action == .allow { upsert(entry) }
        }
        if !old.ingressEnforced && new.ingressEnforced {
            state.ingressEnforced = true
            states.append(state)
        }
        if !old.egressEnforced && new.egressEnforced {
            state.egressEnforced = true
            states.append(state)
        }
        for entry in change.removed where entry.action == .deny && !addedKeys.contains(entry.key) { delete(entry) }

        var found: [String] = []
        for intermediate in states {
            for direction in TrafficDirection.allCases {
                for remote in remotes {
                    for proto: UInt8 in [1, 6, 17] {
                        for port: UInt16 in [53, 80, 81, 9000] {
                            let verdict = { (policy: EndpointPolicy) in
                                policy.lpmVerdict(direction: direction, remote: remote, proto: proto, port: port)
                                    .isAllowed
                            }
                            if verdict(intermediate) && !verdict(old) && !verdict(new) {
                                found.append("\(direction) \(remote) \(proto)/\(port)")
                            }
                        }
                    }
                }
            }
        }
        return found
    }

    @Test func theDocumentedOrderMatters() {
        let r = SecurityIdentity(rawValue: 300)
        func entry(_ remote: SecurityIdentity, _ length: UInt8, _ action: PolicyEntry.Action) -> PolicyEntry {
            PolicyEntry(
                key: .init(direction: .ingress, remote: remote, proto: 6, port: 80, portPrefixLength: length),
                action: action)
        }
        // Both deny r on 80, each through another pair of entries.
        let old = EndpointPolicy(
            ingressEnforced: true, entries: [entry(.any, 15, .deny), entry(r, 16, .allow)].sorted())
        let new = EndpointPolicy(
            ingressEnforced: true, entries: [entry(.any, 16, .allow), entry(r, 15, .deny)].sorted())
        #expect(!old.lpmVerdict(direction: .ingress, remote: r, proto: 6, port: 80).isAllowed)
        #expect(!new.lpmVerdict(direction: .ingress, remote: r, proto: 6, port: 80).isAllowed)
        let change = EndpointPolicyChange(endpoint: key("x/a"), old: old, new: new)
        #expect(leaks(from: old, change: change, remotes: [r]).isEmpty)
        #expect(leaks(from: old, change: change, remotes: [r], addingAllowsFirst: true) == ["ingress 300 6/80"])
    }

    /// Policies that use every kind of peer and port.
    static func policyPool() -> [PolicyObject] {
        let pool = [
            networkPolicyYAML("  podSelector: {}", name: "deny-x"),
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: serve-80-tcp}]}]",
                name: "named"),
            networkPolicyYAML(
                "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {matchLabels: {trusted: \"yes\"}}}], ports: [{port: serve-80-tcp}, {port: 81, endPort: 90}]}]",
                name: "egress-trusted", namespace: "y"),
            networkPolicyYAML(
                "  podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]}]",
                name: "cidr", namespace: "z"),
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: c}}\n  ingress: [{fromEntities: [cluster], toPorts: [{ports: [{port: \"80\"}]}]}]\n  egressDeny: [{toEndpoints: [{matchLabels: {pod: d}}]}]",
                name: "cnp"),
            ciliumPolicyYAML(
                "  endpointSelector: {}\n  egress: [{toEndpoints: [{}]}, {toEntities: [world]}]\n  ingressDeny: [{fromCIDR: [10.0.1.0/24], toPorts: [{ports: [{port: \"22\", protocol: TCP}]}]}]",
                name: "cnp-ns", namespace: "y"),
            "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ccnp}\nspec:\n  endpointSelector: {matchLabels: {tier: web}}\n  egress: [{toEndpoints: [{matchLabels: {pod: a}}], toPorts: [{ports: [{port: serve-80-tcp}]}]}]\n",
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: b}}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: serve-81-udp, protocol: UDP}]}]",
                name: "egress-any-named"),
        ].flatMap { decodePolicies($0) }
        // Audit-mode copies: the audit view is patched incrementally like the enforced one.
        return pool + [pool[1], pool[4], pool[5]].map(AuditModeTests.auditCopy)
    }

    /// Entries by endpoint without origins (what the datapath stores).
    func stripped(_ policies: [NamespacedName: EndpointPolicy]) -> [NamespacedName: [PolicyEntry.Key: PolicyEntry
        .Action]]
    {
        policies.mapValues { Dictionary(uniqueKeysWithValues: $0.entries.map { ($0.key, $0.action) }) }
    }

    /// Applies diffs the way the datapath is told to.
    func applying(_ update: PolicyUpdate, to old: [NamespacedName: EndpointPolicy]) -> [NamespacedName: [PolicyEntry
        .Key: PolicyEntry.Action]]
    {
        var maps = stripped(old)
        for change in update.endpoints {
            if change.kind == .deleted {
                maps[change.endpoint] = nil
                continue
            }
            var map = maps[change.endpoint] ?? [:]
            let addedKeys = Set(change.added.map(\.key))
            for entry in change.removed where !addedKeys.contains(entry.key) { map[entry.key] = nil }
            for entry in change.added { map[entry.key] = entry.action }
            maps[change.endpoint] = map
        }
        return maps
    }
}

/// A small deterministic generator for randomized tests and shuffles (SplitMix64).
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
