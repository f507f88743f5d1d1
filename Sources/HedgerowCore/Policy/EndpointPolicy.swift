/// The compiler's output for one endpoint: what the datapath enforces. The policy compiler
/// produces it from policies x endpoints x identities; HedgerowDatapath writes it into the
/// policy map by diff. Pure values: comparing two of them is how incremental updates are found.
///
/// ## Meaning (what the datapath must implement)
///
/// A packet of a new connection in `direction` with remote identity R (from the ipcache),
/// IP protocol P and destination port Q *matches* an entry when the entry's remote is R or
/// `.any`, and its proto is 0 or P with a port prefix that contains Q. Then:
///
/// 1. if any matching entry is `deny`: drop, POLICY_DENY (181);
/// 2. else if any matching entry is `allow`: pass;
/// 3. else if the direction is enforced: drop, POLICY_DENIED (133);
/// 4. else pass.
///
/// `verdict(direction:remote:proto:port:)` is that rule in Swift, for tests and traces.
///
/// ## Guarantees that make two LPM lookups enough
///
/// - Entries are unique by key and sorted by key.
/// - For each (direction, remote), no `allow` entry is covered by a `deny` entry of the same
///   direction and remote (covered: the deny has proto 0, or the same proto and a port prefix
///   containing the allow's). So a longest-prefix lookup of (direction, R, P, Q) among the
///   entries of remote R returns `deny` whenever any entry of R that matches denies, and the
///   same holds for the entries of `.any`.
/// - Hence: look up (R, P, Q) and (.any, P, Q), each as an LPM over (proto, port) where proto 0
///   is a prefix that stops before the protocol; deny if either says deny, else allow if either
///   says allow, else the direction's default. No entry with proto 0 has a port prefix.
/// - A deny for `.any` and an allow for R on the same port are both kept: the `.any` lookup
///   says deny, which wins.
///
/// ## Audit mode
///
/// `entries` holds two views, told apart by `PolicyEntry.Key.view`. The rules above are the
/// `.enforced` view, built from enforce-mode policies only. When an audit-mode policy selects
/// the endpoint in a direction (`audit(direction) != .off`), the entries of the `.audit` view
/// (built from every policy, as if all were enforced) decide a second time by the same rules,
/// with `.defaultDeny` as the enforcement: a connection the enforced view allows and the audit
/// view drops passes, reported as AUDIT. Directions without audit have no `.audit` entries.
/// - `allow` entries appear only for enforced directions (elsewhere everything passes anyway);
///   `deny` entries appear for both.
/// - ICMP (and any protocol other than TCP/UDP/SCTP) only matches entries with proto 0, which
///   only rules without ports produce.
public struct EndpointPolicy: Hashable, Sendable {
    /// Whether any policy selects the endpoint in that direction: then everything not allowed
    /// is denied (POLICY_DENIED). Otherwise the direction allows all but explicit denies.
    public var ingressEnforced: Bool
    public var egressEnforced: Bool
    /// Unique by key and sorted (the enforced view first); "deny beats allow" is resolved as
    /// described above, per view.
    public var entries: [PolicyEntry]
    public var ingressAudit: AuditMode
    public var egressAudit: AuditMode

    /// Whether a direction has an audit view, and what that view does with what its entries don't allow.
    public enum AuditMode: UInt8, Hashable, Sendable {
        /// No audit-mode policy selects the endpoint in this direction.
        case off
        /// Audited; the audit view is not in default deny (only its denies can audit).
        case rulesOnly
        /// Audited; the audit view denies what it does not allow.
        case defaultDeny
    }

    public init(
        ingressEnforced: Bool = false, egressEnforced: Bool = false, entries: [PolicyEntry] = [],
        ingressAudit: AuditMode = .off, egressAudit: AuditMode = .off
    ) {
        self.ingressEnforced = ingressEnforced
        self.egressEnforced = egressEnforced
        self.entries = entries
        self.ingressAudit = ingressAudit
        self.egressAudit = egressAudit
    }

    public func audit(_ direction: TrafficDirection) -> AuditMode {
        direction == .ingress ? ingressAudit : egressAudit
    }
}

/// Which decision an entry belongs to (see "Audit mode" on `EndpointPolicy`).
public enum PolicyView: UInt8, Hashable, Sendable, Comparable {
    case enforced = 0
    case audit = 1

    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }
}

public enum TrafficDirection: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Into the endpoint (checked at to-endpoint).
    case ingress = 0
    /// Out of the endpoint (checked at from-endpoint).
    case egress = 1

    public var description: String { self == .ingress ? "ingress" : "egress" }
}

/// One policy map entry: (direction, remote identity, protocol, port prefix) -> allow or deny.
///
/// Wildcards: `remote == .any` matches every identity, `proto == 0` every protocol (and then
/// the port is ignored), a port prefix of length 0 every port. Port ranges are expressed as a
/// few prefixes (e.g. 80-81 is 80/15), which an LPM trie matches in one lookup.
public struct PolicyEntry: Hashable, Sendable, Comparable, CustomStringConvertible {
    public struct Key: Hashable, Sendable, Comparable {
        public var direction: TrafficDirection
        public var remote: SecurityIdentity
        /// IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP); 0 = any.
        public var proto: UInt8
        public var port: UInt16
        /// How many leading bits of `port` must match (0...16).
        public var portPrefixLength: UInt8
        public var view: PolicyView

        public init(
            direction: TrafficDirection, remote: SecurityIdentity, proto: UInt8, port: UInt16 = 0,
            portPrefixLength: UInt8 = 0, view: PolicyView = .enforced
        ) {
            self.direction = direction
            self.remote = remote
            self.proto = proto
            self.port = portPrefixLength == 0 ? 0 : port
            self.portPrefixLength = proto == 0 ? 0 : portPrefixLength
            self.view = view
        }

        public static func < (l: Key, r: Key) -> Bool {
            (l.view.rawValue, l.direction.rawValue, l.remote.rawValue, l.proto, l.port, l.portPrefixLength)
                < (r.view.rawValue, r.direction.rawValue, r.remote.rawValue, r.proto, r.port, r.portPrefixLength)
        }
    }

    public enum Action: UInt8, Hashable, Sendable { case allow = 1, deny = 2 }

    public var key: Key
    public var action: Action
    /// Which rules produced it ("NetworkPolicy x/allow-db ingress[0]"): for `hpolicy trace`
    /// and for flows naming the policy that decided.
    public var origins: [String]

    public init(key: Key, action: Action, origins: [String] = []) {
        self.key = key
        self.action = action
        self.origins = origins
    }

    public static func < (l: Self, r: Self) -> Bool { l.key < r.key }

    public var description: String {
        let proto = key.proto == 0 ? "any" : "\(key.proto)"
        let port = key.portPrefixLength == 0 ? "*" : "\(key.port)/\(key.portPrefixLength)"
        return (key.view == .audit ? "audit " : "") + "\(key.direction) \(key.remote.rawValue == 0 ? "any" : "\(key.remote.rawValue)") \(proto):\(port) \(action)"
    }
}
