/// What an endpoint's policy decides for one packet of a new connection, and why.
public enum PolicyVerdict: Hashable, Sendable, CustomStringConvertible {
    /// No policy selects the endpoint in this direction and no deny matches.
    case notEnforced
    /// Allowed by these entries (never empty).
    case allowed(by: [PolicyEntry])
    /// An explicit deny matched (Hubble's POLICY_DENY, 181).
    case denied(by: [PolicyEntry])
    /// Enforced and nothing allows it (Hubble's POLICY_DENIED, 133).
    case defaultDenied

    /// Hubble's drop reason numbers.
    public static let policyDeniedReason: UInt8 = 133
    public static let policyDenyReason: UInt8 = 181

    public var isAllowed: Bool {
        switch self {
        case .notEnforced, .allowed: true
        case .denied, .defaultDenied: false
        }
    }

    /// The drop reason when dropped.
    public var dropReason: UInt8? {
        switch self {
        case .notEnforced, .allowed: nil
        case .denied: Self.policyDenyReason
        case .defaultDenied: Self.policyDeniedReason
        }
    }

    public var description: String {
        switch self {
        case .notEnforced: "allowed (not enforced)"
        case .allowed(let entries): "allowed by " + Set(entries.flatMap(\.origins)).sorted().joined(separator: ", ")
        case .denied(let entries): "denied by " + Set(entries.flatMap(\.origins)).sorted().joined(separator: ", ")
        case .defaultDenied: "denied (default deny)"
        }
    }
}

extension PolicyEntry.Key {
    /// The port prefix of the key (every port when the key has no port).
    public var portPrefix: PortPrefix { PortPrefix(port: port, length: portPrefixLength) }

    /// Whether a packet with this remote identity, protocol and destination port matches.
    public func matches(remote candidate: SecurityIdentity, proto packetProto: UInt8, port packetPort: UInt16) -> Bool {
        guard remote == .any || remote == candidate else { return false }
        if proto == 0 { return true }
        return proto == packetProto && portPrefix.contains(packetPort)
    }

    /// Whether every packet this key matches is also matched by `other` with the same direction
    /// and remote (the relation "deny beats allow" is resolved by).
    public func isCovered(by other: PolicyEntry.Key) -> Bool {
        guard view == other.view, direction == other.direction, remote == other.remote else { return false }
        if other.proto == 0 { return true }
        return proto == other.proto && other.portPrefix.contains(portPrefix)
    }
}

extension EndpointPolicy {
    public func isEnforced(_ direction: TrafficDirection) -> Bool {
        direction == .ingress ? ingressEnforced : egressEnforced
    }

    /// A view's default deny: the enforcement of the enforced view, the audit mode of the audit view.
    public func isEnforced(_ direction: TrafficDirection, view: PolicyView) -> Bool {
        view == .enforced ? isEnforced(direction) : audit(direction) == .defaultDeny
    }

    /// The decision the datapath takes, by the rule documented on `EndpointPolicy`.
    public func verdict(
        direction: TrafficDirection, remote: SecurityIdentity, proto: UInt8, port: UInt16, view: PolicyView = .enforced
    ) -> PolicyVerdict {
        let matching = entries.filter {
            $0.key.view == view && $0.key.direction == direction && $0.key.matches(remote: remote, proto: proto, port: port)
        }
        let denies = matching.filter { $0.action == .deny }
        if !denies.isEmpty { return .denied(by: denies) }
        let allows = matching.filter { $0.action == .allow }
        if !allows.isEmpty { return .allowed(by: allows) }
        return isEnforced(direction, view: view) ? .defaultDenied : .notEnforced
    }

    /// What audit mode reports for a connection the enforced view allows: the audit view's
    /// verdict when that view would drop it, else nil (also when the direction is not audited).
    public func auditedDrop(direction: TrafficDirection, remote: SecurityIdentity, proto: UInt8, port: UInt16)
        -> PolicyVerdict?
    {
        guard audit(direction) != .off,
            verdict(direction: direction, remote: remote, proto: proto, port: port).isAllowed
        else { return nil }
        let audited = verdict(direction: direction, remote: remote, proto: proto, port: port, view: .audit)
        return audited.isAllowed ? nil : audited
    }

    /// The same decision taken as the datapath takes it: one longest-prefix lookup among the
    /// entries of `remote` and one among those of `.any`. Equal to `verdict` for compiler
    /// output (tests check that); exposed so that the guarantee can be tested.
    public func lpmVerdict(
        direction: TrafficDirection, remote: SecurityIdentity, proto: UInt8, port: UInt16, view: PolicyView = .enforced
    ) -> PolicyVerdict {
        func longestMatch(_ identity: SecurityIdentity) -> PolicyEntry? {
            entries.filter {
                $0.key.view == view && $0.key.direction == direction && $0.key.remote == identity
                    && $0.key.matches(remote: identity, proto: proto, port: port)
            }.max { specificity($0.key) < specificity($1.key) }
        }
        let found = [longestMatch(remote), remote == .any ? nil : longestMatch(.any)].compactMap { $0 }
        let denies = found.filter { $0.action == .deny }
        if !denies.isEmpty { return .denied(by: denies) }
        if !found.isEmpty { return .allowed(by: found) }
        return isEnforced(direction, view: view) ? .defaultDenied : .notEnforced
    }

    /// Bits matched in an LPM key of (proto, port): 0 for any protocol, 8 + port bits otherwise.
    private func specificity(_ key: PolicyEntry.Key) -> Int {
        key.proto == 0 ? 0 : 8 + Int(key.portPrefixLength)
    }
}
