import CHedgerowABI
import HedgerowCore

/// A policy map key as a Swift value: one endpoint's `PolicyEntry.Key`, addressed the way the
/// LPM trie wants it (`struct hedgerow_policy_key`).
struct PolicyMapKey: Hashable, Sendable, Comparable {
    var endpointID: UInt32
    var direction: TrafficDirection
    var remote: SecurityIdentity
    /// IP protocol, 0 for any.
    var proto: UInt8
    var port: UInt16
    var portPrefixLength: UInt8
    var view: PolicyView

    static let staticBits = UInt32(HEDGEROW_POLICY_PREFIX_STATIC)

    init(endpointID: UInt32, _ key: PolicyEntry.Key) {
        self.endpointID = endpointID
        direction = key.direction
        remote = key.remote
        proto = key.proto
        port = key.proto == 0 ? 0 : key.port
        portPrefixLength = key.proto == 0 ? 0 : min(key.portPrefixLength, 16)
        view = key.view
    }

    /// Bits after endpoint, identity and direction: 0 (any protocol), 8 (protocol), 8 + port bits.
    var matchBits: UInt8 { proto == 0 ? 0 : 8 + portPrefixLength }

    static let generationShift = UInt8(HEDGEROW_POLICY_GENERATION_SHIFT)
    static let viewShift = UInt8(HEDGEROW_POLICY_VIEW_SHIFT)

    /// The map key of this entry in one of the endpoint's two policy generations (0 or 1).
    func abi(generation: UInt8) -> hedgerow_policy_key {
        let mask: UInt16 = portPrefixLength == 0 ? 0 : ~UInt16(0) << (16 - UInt16(portPrefixLength))
        return hedgerow_policy_key(
            prefixlen: Self.staticBits + UInt32(matchBits), endpoint_id: endpointID, identity: remote.rawValue,
            direction: direction.abi | (generation & 1) << Self.generationShift | view.rawValue << Self.viewShift,
            protocol: proto, port: (port & mask).bigEndian)
    }

    /// The generation a map key belongs to.
    static func generation(of key: hedgerow_policy_key) -> UInt8 { key.direction >> generationShift & 1 }

    /// The key a map entry holds, whichever its generation; nil for one no sync would have written.
    init?(abi key: hedgerow_policy_key) {
        guard let direction = TrafficDirection(abi: key.direction & ~(1 << Self.generationShift | 1 << Self.viewShift)),
            let view = PolicyView(rawValue: key.direction >> Self.viewShift & 1), key.prefixlen >= Self.staticBits
        else { return nil }
        let bits = key.prefixlen - Self.staticBits
        guard bits == 0 || (8...24).contains(bits) else { return nil }
        self.endpointID = key.endpoint_id
        self.direction = direction
        remote = SecurityIdentity(rawValue: key.identity)
        proto = bits == 0 ? 0 : key.protocol
        portPrefixLength = bits <= 8 ? 0 : UInt8(bits - 8)
        port = portPrefixLength == 0 ? 0 : UInt16(bigEndian: key.port)
        self.view = view
    }

    var policyKey: PolicyEntry.Key {
        PolicyEntry.Key(
            direction: direction, remote: remote, proto: proto, port: port, portPrefixLength: portPrefixLength, view: view)
    }

    static func < (l: Self, r: Self) -> Bool {
        (l.endpointID, l.policyKey) < (r.endpointID, r.policyKey)
    }
}

/// A policy map value as a Swift value (`struct hedgerow_policy_value`).
struct PolicyMapValue: Hashable, Sendable {
    var action: PolicyEntry.Action
    var cookie: UInt32
    var matchBits: UInt8

    var abi: hedgerow_policy_value {
        hedgerow_policy_value(
            cookie: cookie,
            action: UInt8(action == .allow ? HEDGEROW_POLICY_ALLOW.rawValue : HEDGEROW_POLICY_DENY.rawValue),
            match_bits: matchBits, _pad: 0)
    }

    init(action: PolicyEntry.Action, cookie: UInt32, matchBits: UInt8) {
        self.action = action
        self.cookie = cookie
        self.matchBits = matchBits
    }

    init?(abi value: hedgerow_policy_value) {
        switch UInt32(value.action) {
        case HEDGEROW_POLICY_ALLOW.rawValue: action = .allow
        case HEDGEROW_POLICY_DENY.rawValue: action = .deny
        default: return nil
        }
        cookie = value.cookie
        matchBits = value.match_bits
    }
}
