/// Gives label sets and CIDRs numeric security identities, with reference counts.
///
/// - Label sets (pods' identity labels) get identities from 256 up; equal label sets share one.
/// - CIDR prefixes that policies mention get node-local identities: bit 24 set, from
///   `1 << 24 | 1` up.
/// - Each `allocate` takes a reference and each `release` drops one; at zero the identity is
///   freed and its number becomes available again. A new allocation takes the lowest free
///   number, so the same sequence of calls always yields the same numbers.
/// - Reserved identities (1...7) are constants of `SecurityIdentity`, never allocated.
///
/// Codable so that the agent can persist it: `restoring(from:)` then hands the same numbers
/// to the same label sets after a restart, while references are counted anew.
public struct IdentityAllocator: Hashable, Sendable, Codable {
    private var byLabels: [Labels: Allocation] = [:]
    private var labelsByIdentity: [SecurityIdentity: Labels] = [:]
    private var byCIDR: [IPPrefix: Allocation] = [:]
    private var cidrByIdentity: [SecurityIdentity: IPPrefix] = [:]
    /// Numbers that a restored allocator gives back to the label sets / CIDRs that had them.
    private var preferredForLabels: [Labels: SecurityIdentity] = [:]
    private var preferredForCIDR: [IPPrefix: SecurityIdentity] = [:]
    /// The preferred numbers, kept free for their owners until `forgetPreferences()`.
    private var promised: Set<SecurityIdentity> = []

    private struct Allocation: Hashable, Sendable {
        var identity: SecurityIdentity
        var references: Int
    }

    public init() {}

    /// An empty allocator that gives the numbers `previous` had given to the same label sets and
    /// CIDRs, so that identities are stable across restarts. Until `forgetPreferences()`, new
    /// label sets do not take a number promised that way.
    public static func restoring(from previous: IdentityAllocator) -> IdentityAllocator {
        var allocator = IdentityAllocator()
        allocator.preferredForLabels = previous.byLabels.mapValues(\.identity)
        allocator.preferredForCIDR = previous.byCIDR.mapValues(\.identity)
        allocator.promised = Set(allocator.preferredForLabels.values).union(allocator.preferredForCIDR.values)
        return allocator
    }

    /// Forgets the restored numbers that were not claimed again (call once the initial state is in).
    public mutating func forgetPreferences() {
        preferredForLabels = [:]
        preferredForCIDR = [:]
        promised = []
    }

    // MARK: Label sets

    /// Takes a reference on the identity of `labels`, allocating it if needed.
    @discardableResult
    public mutating func allocate(_ labels: Labels) -> SecurityIdentity {
        if let existing = byLabels[labels] {
            byLabels[labels]!.references += 1
            return existing.identity
        }
        let identity = Self.take(
            preferred: preferredForLabels[labels], lowest: SecurityIdentity.firstAllocated,
            limit: SecurityIdentity.localScopeBit, isTaken: { labelsByIdentity[$0] != nil || promised.contains($0) })
        byLabels[labels] = Allocation(identity: identity, references: 1)
        labelsByIdentity[identity] = labels
        return identity
    }

    /// Drops a reference; returns true when that freed the identity.
    @discardableResult
    public mutating func release(_ labels: Labels) -> Bool {
        guard let existing = byLabels[labels] else { return false }
        if existing.references > 1 {
            byLabels[labels]!.references -= 1
            return false
        }
        byLabels[labels] = nil
        labelsByIdentity[existing.identity] = nil
        return true
    }

    public func identity(for labels: Labels) -> SecurityIdentity? { byLabels[labels]?.identity }

    public func labels(of identity: SecurityIdentity) -> Labels? { labelsByIdentity[identity] }

    /// How many references hold an identity (0 when it is not allocated).
    public func references(of labels: Labels) -> Int { byLabels[labels]?.references ?? 0 }

    /// Every allocated label-set identity with its labels.
    public var labelIdentities: [SecurityIdentity: Labels] { labelsByIdentity }

    // MARK: CIDRs

    /// Takes a reference on the node-local identity of `prefix`.
    @discardableResult
    public mutating func allocate(cidr prefix: IPPrefix) -> SecurityIdentity {
        if let existing = byCIDR[prefix] {
            byCIDR[prefix]!.references += 1
            return existing.identity
        }
        let identity = Self.take(
            preferred: preferredForCIDR[prefix], lowest: SecurityIdentity.localScopeBit | 1,
            limit: SecurityIdentity.localScopeBit << 1, isTaken: { cidrByIdentity[$0] != nil || promised.contains($0) })
        byCIDR[prefix] = Allocation(identity: identity, references: 1)
        cidrByIdentity[identity] = prefix
        return identity
    }

    @discardableResult
    public mutating func release(cidr prefix: IPPrefix) -> Bool {
        guard let existing = byCIDR[prefix] else { return false }
        if existing.references > 1 {
            byCIDR[prefix]!.references -= 1
            return false
        }
        byCIDR[prefix] = nil
        cidrByIdentity[existing.identity] = nil
        return true
    }

    public func identity(for prefix: IPPrefix) -> SecurityIdentity? { byCIDR[prefix]?.identity }

    public func cidr(of identity: SecurityIdentity) -> IPPrefix? { cidrByIdentity[identity] }

    public func references(of prefix: IPPrefix) -> Int { byCIDR[prefix]?.references ?? 0 }

    /// Every allocated CIDR identity with its prefix.
    public var cidrIdentities: [SecurityIdentity: IPPrefix] { cidrByIdentity }

    // MARK: Numbers

    /// The promised number, else the lowest one that is neither taken nor promised. Allocations
    /// are dense in practice, so the scan from `lowest` is short; tests rely on its determinism.
    private static func take(
        preferred: SecurityIdentity?, lowest: UInt32, limit: UInt32, isTaken: (SecurityIdentity) -> Bool
    ) -> SecurityIdentity {
        if let preferred { return preferred }
        var candidate = lowest
        while isTaken(SecurityIdentity(rawValue: candidate)) {
            candidate += 1
            precondition(candidate < limit, "security identity space exhausted")
        }
        return SecurityIdentity(rawValue: candidate)
    }

    // MARK: Codable (labels as plain maps; preferences are not persisted)

    private struct StoredLabelIdentity: Codable {
        var identity: UInt32
        var labels: [String: String]
        var references: Int
    }

    private struct StoredCIDRIdentity: Codable {
        var identity: UInt32
        var cidr: String
        var references: Int
    }

    private enum CodingKeys: String, CodingKey { case labels, cidrs }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for stored in try container.decode([StoredLabelIdentity].self, forKey: .labels) {
            let labels = Labels(stored.labels)
            let identity = SecurityIdentity(rawValue: stored.identity)
            byLabels[labels] = Allocation(identity: identity, references: stored.references)
            labelsByIdentity[identity] = labels
        }
        for stored in try container.decode([StoredCIDRIdentity].self, forKey: .cidrs) {
            guard let prefix = IPPrefix(stored.cidr) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .cidrs, in: container, debugDescription: "not a CIDR: \(stored.cidr)")
            }
            let identity = SecurityIdentity(rawValue: stored.identity)
            byCIDR[prefix] = Allocation(identity: identity, references: stored.references)
            cidrByIdentity[identity] = prefix
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let labels = byLabels.map {
            StoredLabelIdentity(
                identity: $0.value.identity.rawValue, labels: $0.key.dictionary, references: $0.value.references)
        }
        let cidrs = byCIDR.map {
            StoredCIDRIdentity(
                identity: $0.value.identity.rawValue, cidr: $0.key.description, references: $0.value.references)
        }
        try container.encode(labels.sorted { $0.identity < $1.identity }, forKey: .labels)
        try container.encode(cidrs.sorted { $0.identity < $1.identity }, forKey: .cidrs)
    }
}
