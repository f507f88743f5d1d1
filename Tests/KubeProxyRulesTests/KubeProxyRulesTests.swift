import HedgerowCore
import KubeProxyRules
import Testing

/// The kube-proxy iptables baseline: chain names, probabilities and the restore text.
@Suite struct KubeProxyRulesTests {
    static func frontend(_ namespace: String, _ name: String, port portName: String?, _ vip: String, _ port: UInt16,
                         backends: [String], backendPort: UInt16) -> ServiceFrontend {
        ServiceFrontend(
            key: FrontendKey(address: .ip(IPAddress(vip)!), port: port, protocol: .tcp), kind: .clusterIP,
            service: NamespacedName(namespace: namespace, name: name), portName: portName, id: ServiceID(rawValue: 1),
            backends: backends.map { ServiceBackend(address: BackendAddress(ip: IPAddress($0)!, port: backendPort)) })
    }

    static let web = frontend("default", "web", port: "http", "10.96.0.10", 80, backends: ["10.128.0.1", "10.128.0.2"], backendPort: 8080)
    static let db = frontend("prod", "db", port: "pg", "10.96.0.20", 5432, backends: ["10.128.1.1", "10.128.1.2"], backendPort: 5432)

    @Test func base32MatchesRFC4648() {
        #expect(KubeProxyChainHash.base32(Array("f".utf8)) == "MY======")
        #expect(KubeProxyChainHash.base32(Array("foobar".utf8)) == "MZXW6YTBOI======")
    }

    /// Names seen on real clusters for the API server and DNS services.
    @Test func chainNamesAreKubeProxys() {
        let kubernetes = Self.frontend("default", "kubernetes", port: "https", "10.96.0.1", 443, backends: [], backendPort: 6443)
        #expect(KubeProxyRules.serviceChain(kubernetes) == "KUBE-SVC-NPX46M4PTMTKRN6Y")
        var dns = Self.frontend("kube-system", "kube-dns", port: "dns", "10.96.0.10", 53, backends: [], backendPort: 53)
        dns.key = FrontendKey(address: dns.key.address, port: 53, protocol: .udp)
        #expect(KubeProxyRules.serviceChain(dns) == "KUBE-SVC-TCOU7JCQXEZGVUNU")
        // An unnamed port hashes `namespace/name` alone; endpoints add `ip:port`.
        let unnamed = Self.frontend("default", "web", port: nil, "10.96.0.10", 80, backends: [], backendPort: 80)
        #expect(KubeProxyRules.serviceChain(unnamed) == "KUBE-SVC-LOLE4ISW44XBNF3G")
        #expect(KubeProxyRules.endpointChain(Self.web, Self.web.backends[0]) == "KUBE-SEP-TZODLPGRZR4JBD6T")
    }

    @Test func probabilitiesArePrintedLikeGo() {
        #expect(KubeProxyRules.probability(2) == "0.5000000000")
        #expect(KubeProxyRules.probability(3) == "0.3333333333")
        #expect(KubeProxyRules.probability(6) == "0.1666666667")
        #expect(KubeProxyRules.probability(1) == "1.0000000000")
        // A tie at the tenth digit rounds to even, as Go does for the exact 1/2048.
        #expect(KubeProxyRules.probability(2048) == "0.0004882812")
    }

    @Test func fullSyncOfTwoServicesWithTwoEndpointsEach() {
        let rules = KubeProxyRules(frontends: [Self.web, Self.db], options: KubeProxyRulesOptions(clusterCIDR: IPPrefix("10.128.0.0/14")))
        #expect(!rules.isLargeCluster)
        let expected = """
            *filter
            :KUBE-SERVICES - [0:0]
            :KUBE-EXTERNAL-SERVICES - [0:0]
            :KUBE-FORWARD - [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-PROXY-FIREWALL - [0:0]
            :KUBE-FIREWALL - [0:0]
            -A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
            -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            COMMIT
            *nat
            :KUBE-SERVICES - [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-SVC-CDGGSHYLG3RE2FKL - [0:0]
            :KUBE-SEP-TZODLPGRZR4JBD6T - [0:0]
            :KUBE-SEP-WGKWM6BYMFQ3J2GE - [0:0]
            :KUBE-SVC-WVNESMYLO5ULFUZZ - [0:0]
            :KUBE-SEP-Z2PKZUQGZJ73YFEA - [0:0]
            :KUBE-SEP-3FDLKPQ2YQQA37X7 - [0:0]
            -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
            -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
            -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
            -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
            -A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-SVC-CDGGSHYLG3RE2FKL
            -A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.128.0.0/14 -j KUBE-MARK-MASQ
            -A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.128.0.1:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-TZODLPGRZR4JBD6T
            -A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.128.0.2:8080" -j KUBE-SEP-WGKWM6BYMFQ3J2GE
            -A KUBE-SEP-TZODLPGRZR4JBD6T -m comment --comment default/web:http -s 10.128.0.1 -j KUBE-MARK-MASQ
            -A KUBE-SEP-TZODLPGRZR4JBD6T -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.128.0.1:8080
            -A KUBE-SEP-WGKWM6BYMFQ3J2GE -m comment --comment default/web:http -s 10.128.0.2 -j KUBE-MARK-MASQ
            -A KUBE-SEP-WGKWM6BYMFQ3J2GE -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.128.0.2:8080
            -A KUBE-SERVICES -m comment --comment "prod/db:pg cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 5432 -j KUBE-SVC-WVNESMYLO5ULFUZZ
            -A KUBE-SVC-WVNESMYLO5ULFUZZ -m comment --comment "prod/db:pg cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 5432 ! -s 10.128.0.0/14 -j KUBE-MARK-MASQ
            -A KUBE-SVC-WVNESMYLO5ULFUZZ -m comment --comment "prod/db:pg -> 10.128.1.1:5432" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-Z2PKZUQGZJ73YFEA
            -A KUBE-SVC-WVNESMYLO5ULFUZZ -m comment --comment "prod/db:pg -> 10.128.1.2:5432" -j KUBE-SEP-3FDLKPQ2YQQA37X7
            -A KUBE-SEP-Z2PKZUQGZJ73YFEA -m comment --comment prod/db:pg -s 10.128.1.1 -j KUBE-MARK-MASQ
            -A KUBE-SEP-Z2PKZUQGZJ73YFEA -m comment --comment prod/db:pg -m tcp -p tcp -j DNAT --to-destination 10.128.1.1:5432
            -A KUBE-SEP-3FDLKPQ2YQQA37X7 -m comment --comment prod/db:pg -s 10.128.1.2 -j KUBE-MARK-MASQ
            -A KUBE-SEP-3FDLKPQ2YQQA37X7 -m comment --comment prod/db:pg -m tcp -p tcp -j DNAT --to-destination 10.128.1.2:5432
            -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
            COMMIT

            """
        let actual = rules.fullSync()
        #expect(actual == expected)
        if actual != expected {
            for (a, e) in zip(actual.split(separator: "\n"), expected.split(separator: "\n")) where a != e { Issue.record("got \(a)\nwant \(e)") }
        }
    }

    /// One endpoint of `db` replaced: KUBE-SERVICES whole, only db's chains, the old endpoint's
    /// chain flushed and deleted.
    @Test func partialSyncRewritesOnlyTheChangedService() {
        let before = KubeProxyRules(frontends: [Self.web, Self.db])
        var db = Self.db
        db.backends[1] = ServiceBackend(address: BackendAddress(ip: IPAddress("10.128.1.3")!, port: 5432))
        let after = KubeProxyRules(frontends: [Self.web, db])
        let text = after.partialSync(changed: [db.service], previous: before)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("-A KUBE-SERVICES ") }.count == 3)
        #expect(!text.contains("KUBE-SVC-CDGGSHYLG3RE2FKL - [0:0]") && !text.contains("-A KUBE-SVC-CDGGSHYLG3RE2FKL"))
        #expect(text.contains("-A KUBE-SVC-WVNESMYLO5ULFUZZ -m comment --comment \"prod/db:pg -> 10.128.1.1:5432\" -m statistic"))
        #expect(text.contains("--to-destination 10.128.1.3:5432"))
        #expect(lines.contains(":KUBE-SEP-3FDLKPQ2YQQA37X7 - [0:0]") && lines.contains("-X KUBE-SEP-3FDLKPQ2YQQA37X7"))
        // No cluster CIDR: no masquerade rule for off-cluster sources.
        #expect(!lines.contains { $0.hasPrefix("-A KUBE-SVC-") && $0.contains("! -s") })
    }

    /// Above 1,000 endpoints kube-proxy drops endpoint-rule comments and keeps stale chains.
    @Test func largeClustersDropCommentsAndKeepStaleChains() {
        let options = KubeProxyRulesOptions(largeClusterEndpointThreshold: 2)
        let before = KubeProxyRules(frontends: [Self.web, Self.db], options: options)
        #expect(before.isLargeCluster)
        #expect(before.fullSync().contains("-A KUBE-SEP-TZODLPGRZR4JBD6T -s 10.128.0.1 -j KUBE-MARK-MASQ"))
        #expect(before.fullSync().contains("-A KUBE-SVC-CDGGSHYLG3RE2FKL -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-TZODLPGRZR4JBD6T"))
        var db = Self.db
        db.backends.removeLast()
        let after = KubeProxyRules(frontends: [Self.web, db], options: options)
        #expect(!after.partialSync(changed: [db.service], previous: before).contains("-X "))
    }

    @Test func servicesWithoutEndpointsAreRejectedInTheFilterTable() {
        var empty = Self.web
        empty.backends = []
        let text = KubeProxyRules(frontends: [empty]).fullSync()
        #expect(text.contains(#"-A KUBE-SERVICES -m comment --comment "default/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT"#))
        #expect(!text.contains("KUBE-SVC-"))
    }
}
