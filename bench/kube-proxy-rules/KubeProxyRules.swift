import HedgerowCore

/// How kube-proxy is configured, as far as it shapes the iptables rules it writes.
public struct KubeProxyRulesOptions: Hashable, Sendable {
    /// `--cluster-cidr` (detect-local-mode ClusterCIDR): ClusterIP traffic from outside it is
    /// marked for masquerade. nil: kube-proxy has no local detector and writes no such rule.
    public var clusterCIDR: IPPrefix?
    /// `--iptables-masquerade-bit` 14.
    public var masqueradeMark: String
    /// kube-proxy's `largeClusterEndpointsThreshold`: with more endpoints than this it leaves the
    /// comments out of endpoint rules and deletes stale chains only once per sync period.
    public var largeClusterEndpointThreshold: Int

    public init(clusterCIDR: IPPrefix? = nil, masqueradeMark: String = "0x4000", largeClusterEndpointThreshold: Int = 1000) {
        self.clusterCIDR = clusterCIDR
        self.masqueradeMark = masqueradeMark
        self.largeClusterEndpointThreshold = largeClusterEndpointThreshold
    }
}

/// The iptables-restore input kube-proxy's iptables mode writes for a set of ClusterIP frontends:
/// KUBE-SERVICES with one rule per VIP:port, a KUBE-SVC-<hash> chain per service port choosing an
/// endpoint with `-m statistic --mode random --probability 1/n, 1/(n-1), ...`, a KUBE-SEP-<hash>
/// chain per endpoint that DNATs (and marks hairpin traffic for masquerade), KUBE-MARK-MASQ and
/// KUBE-POSTROUTING. The baseline of the kube-proxy comparison benchmark.
///
/// Only what a ClusterIP service with `Cluster` traffic policy and no session affinity produces
/// (IPv4, the iptables side of a dual-stack node); other frontends are left out. kube-proxy
/// restores with `--noflush`: a `:CHAIN - [0:0]` line flushes that chain (or creates it), and
/// chains not named are left as they are.
public struct KubeProxyRules: Sendable {
    /// The ClusterIP IPv4 frontends, in the order their KUBE-SERVICES rules are written.
    public let frontends: [ServiceFrontend]
    public let options: KubeProxyRulesOptions

    public init(frontends: [ServiceFrontend], options: KubeProxyRulesOptions = KubeProxyRulesOptions()) {
        self.frontends = frontends.filter { frontend in
            guard frontend.kind == .clusterIP, case .ip(let address) = frontend.key.address else { return false }
            return address.family == .ipv4
        }
        self.options = options
    }

    public var endpointCount: Int { frontends.reduce(0) { $0 + $1.backends.count } }

    /// kube-proxy's large-cluster mode (see `KubeProxyRulesOptions.largeClusterEndpointThreshold`).
    public var isLargeCluster: Bool { endpointCount > options.largeClusterEndpointThreshold }

    // MARK: Names

    /// The service port's name as kube-proxy prints it: `namespace/name:port`, or
    /// `namespace/name` for an unnamed port.
    public static func servicePortName(_ frontend: ServiceFrontend) -> String {
        "\(frontend.service.namespace)/\(frontend.service.name)" + (frontend.portName.map { ":" + $0 } ?? "")
    }

    static func protocolName(_ frontend: ServiceFrontend) -> String { frontend.key.protocol.rawValue.lowercased() }

    /// KUBE-SVC-<hash of port name and protocol>.
    public static func serviceChain(_ frontend: ServiceFrontend) -> String {
        "KUBE-SVC-" + KubeProxyChainHash.hash16(servicePortName(frontend) + protocolName(frontend))
    }

    /// KUBE-SEP-<hash of port name, protocol and endpoint `ip:port`>.
    public static func endpointChain(_ frontend: ServiceFrontend, _ backend: ServiceBackend) -> String {
        "KUBE-SEP-" + KubeProxyChainHash.hash16(servicePortName(frontend) + protocolName(frontend) + backend.address.description)
    }

    /// The chains a frontend owns in the nat table (none without endpoints).
    public static func chains(of frontend: ServiceFrontend) -> [String] {
        frontend.backends.isEmpty ? [] : [serviceChain(frontend)] + frontend.backends.map { endpointChain(frontend, $0) }
    }

    /// `1/n` as kube-proxy prints it (Go's `%0.10f`): 3 -> "0.3333333333". Exact decimal
    /// rounding, ties to even.
    public static func probability(_ n: Int) -> String {
        precondition(n > 0, "probability of 1/\(n)")
        let scale = 10_000_000_000
        var quotient = scale / n
        let remainder = scale % n
        if remainder * 2 > n || (remainder * 2 == n && quotient % 2 == 1) { quotient += 1 }
        let digits = String(quotient % scale)
        return "\(quotient / scale)." + String(repeating: "0", count: 10 - digits.count) + digits
    }

    // MARK: Restore input

    /// The jumps from the built-in chains that kube-proxy ensures with `iptables -I` before its
    /// first restore (they are not part of the restore input, which must not flush the built-in
    /// chains), as iptables-restore text for a `--noflush` run.
    public static let jumpRules = """
        *filter
        :KUBE-EXTERNAL-SERVICES - [0:0]
        :KUBE-NODEPORTS - [0:0]
        :KUBE-SERVICES - [0:0]
        :KUBE-FORWARD - [0:0]
        :KUBE-PROXY-FIREWALL - [0:0]
        -I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
        -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
        -I INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
        -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -I OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -I FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
        -I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
        -I OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
        -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
        COMMIT
        *nat
        :KUBE-SERVICES - [0:0]
        :KUBE-POSTROUTING - [0:0]
        -I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
        COMMIT

        """

    /// A full sync: every service's chains (what kube-proxy writes at start and periodically).
    public func fullSync() -> String { restoreInput(rewriting: nil, previous: nil) }

    /// A partial sync (`MinimizeIPTablesRestore`, on by default since Kubernetes 1.27) after the
    /// services in `changed` changed since `previous` was applied: the top-level chains are
    /// written whole, KUBE-SERVICES included (one rule per service port, all of them), but
    /// KUBE-SVC/KUBE-SEP chains only for the changed services. Chains that went away are
    /// flushed and deleted, unless the cluster is large (kube-proxy then leaves them for a
    /// later sync: they are unreferenced).
    public func partialSync(changed: Set<NamespacedName>, previous: KubeProxyRules) -> String {
        restoreInput(rewriting: changed, previous: previous)
    }

    /// `rewriting` nil: every service's chains; otherwise only those services'.
    func restoreInput(rewriting: Set<NamespacedName>?, previous: KubeProxyRules?) -> String {
        let mark = options.masqueradeMark
        var filterRules: [String] = [
            #"-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"#
        ]
        var natChains = ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"]
        var natRules = [
            "-A KUBE-POSTROUTING -m mark ! --mark \(mark)/\(mark) -j RETURN",
            "-A KUBE-POSTROUTING -j MARK --xor-mark \(mark)",
            #"-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully"#,
            "-A KUBE-MARK-MASQ -j MARK --or-mark \(mark)",
        ]
        let large = isLargeCluster
        for frontend in frontends {
            let name = Self.servicePortName(frontend)
            let proto = Self.protocolName(frontend)
            let match = "-m \(proto) -p \(proto) -d \(frontend.key.address) --dport \(frontend.key.port)"
            guard !frontend.backends.isEmpty else {
                filterRules.append(#"-A KUBE-SERVICES -m comment --comment "\#(name) has no endpoints" \#(match) -j REJECT"#)
                continue
            }
            let serviceChain = Self.serviceChain(frontend)
            natRules.append(#"-A KUBE-SERVICES -m comment --comment "\#(name) cluster IP" \#(match) -j \#(serviceChain)"#)
            if let rewriting, !rewriting.contains(frontend.service) { continue }

            natChains.append(serviceChain)
            if let cidr = options.clusterCIDR {
                natRules.append(#"-A \#(serviceChain) -m comment --comment "\#(name) cluster IP" \#(match) ! -s \#(cidr) -j KUBE-MARK-MASQ"#)
            }
            for (index, backend) in frontend.backends.enumerated() {
                let comment = large ? "" : #" -m comment --comment "\#(name) -> \#(backend.address)""#
                let remaining = frontend.backends.count - index
                let statistic = remaining > 1 ? " -m statistic --mode random --probability \(Self.probability(remaining))" : ""
                natRules.append("-A \(serviceChain)\(comment)\(statistic) -j \(Self.endpointChain(frontend, backend))")
            }
            for backend in frontend.backends {
                let chain = Self.endpointChain(frontend, backend)
                natChains.append(chain)
                let comment = large ? "" : " -m comment --comment \(name)"
                natRules.append("-A \(chain)\(comment) -s \(backend.address.ip) -j KUBE-MARK-MASQ")
                natRules.append("-A \(chain)\(comment) -m \(proto) -p \(proto) -j DNAT --to-destination \(backend.address)")
            }
        }
        if let previous, !large {
            let active = Set(frontends.flatMap(Self.chains(of:)))
            for chain in previous.frontends.flatMap(Self.chains(of:)) where !active.contains(chain) {
                natChains.append(chain)
                natRules.append("-X \(chain)")
            }
        }
        natRules.append(#"-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"#)
        filterRules += [
            "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
            #"-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark \#(mark)/\#(mark) -j ACCEPT"#,
            #"-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"#,
        ]

        let filterChains = ["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL", "KUBE-FIREWALL"]
        var lines = ["*filter"]
        lines += filterChains.map { ":\($0) - [0:0]" }
        lines += filterRules
        lines += ["COMMIT", "*nat"]
        lines += natChains.map { ":\($0) - [0:0]" }
        lines += natRules
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }
}
