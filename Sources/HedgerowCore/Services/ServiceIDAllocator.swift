/// A frontend's numeric id, also its rev-NAT index. 16 bits as in Cilium's rev-NAT index;
/// 0 is never assigned (it means "no service" in datapath records).
public struct ServiceID: RawRepresentable, Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static func < (lhs: ServiceID, rhs: ServiceID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}

/// Gives each frontend a stable id and remembers it.
///
/// A new frontend's id is derived from its key (MurmurHash3 of `FrontendKey.description`,
/// linear probing past ids in use), so the same frontends get mostly the same ids even on a
/// node with no saved state; the allocator is `Codable` so that an agent saves it and keeps
/// every id across restarts exactly, whatever the order frontends appear in. Ids of frontends
/// that are gone are released and may be reused (rarely: only after a hash collision).
public struct ServiceIDAllocator: Hashable, Sendable, Codable {
    /// The ids handed out, inclusive; must not contain 0.
    public let range: ClosedRange<UInt16>
    public private(set) var assignments: [FrontendKey: ServiceID]
    private var inUse: Set<UInt16>

    public init(range: ClosedRange<UInt16> = 1...UInt16.max) {
        precondition(range.lowerBound > 0, "service id 0 is reserved")
        self.range = range
        assignments = [:]
        inUse = []
    }

    public var count: Int { assignments.count }

    /// The id of `key`, assigning one when it has none; nil when every id of `range` is taken.
    public mutating func id(for key: FrontendKey) -> ServiceID? {
        if let id = assignments[key] { return id }
        let span = Int(range.upperBound - range.lowerBound) + 1
        guard inUse.count < span else { return nil }
        var offset = Int(Self.preferredOffset(for: key, span: span))
        while inUse.contains(range.lowerBound + UInt16(offset)) {
            offset = offset + 1 == span ? 0 : offset + 1
        }
        let id = ServiceID(rawValue: range.lowerBound + UInt16(offset))
        assignments[key] = id
        inUse.insert(id.rawValue)
        return id
    }

    /// Releases the ids of every frontend not in `keys`.
    public mutating func retainOnly(_ keys: Set<FrontendKey>) {
        for (key, id) in assignments where !keys.contains(key) {
            assignments[key] = nil
            inUse.remove(id.rawValue)
        }
    }

    /// Releases the ids of `keys`.
    public mutating func release(_ keys: some Sequence<FrontendKey>) {
        for key in keys {
            if let id = assignments.removeValue(forKey: key) { inUse.remove(id.rawValue) }
        }
    }

    /// Where probing starts for `key`: fixed across processes and nodes (no random seeding).
    static func preferredOffset(for key: FrontendKey, span: Int) -> UInt64 {
        MurmurHash3.hash128(Array(key.description.utf8), seed: 0x5345_5256).h1 % UInt64(span)
    }

    // MARK: Codable: `{"range": [1, 65535], "assignments": {"10.96.0.10:53/UDP": 7, ...}}`

    private enum CodingKeys: String, CodingKey {
        case range, assignments
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let bounds = try container.decode([UInt16].self, forKey: .range)
        guard bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1] else {
            throw DecodingError.dataCorruptedError(
                forKey: .range, in: container, debugDescription: "expected [low, high] with 0 < low <= high")
        }
        self.init(range: bounds[0]...bounds[1])
        let saved = try container.decode([String: UInt16].self, forKey: .assignments)
        for text in saved.keys.sorted() {
            let raw = saved[text]!
            guard let key = FrontendKey(text), range.contains(raw), inUse.insert(raw).inserted else {
                throw DecodingError.dataCorruptedError(
                    forKey: .assignments, in: container,
                    debugDescription: "invalid or duplicate assignment \"\(text)\": \(raw)")
            }
            assignments[key] = ServiceID(rawValue: raw)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([range.lowerBound, range.upperBound], forKey: .range)
        let saved = Dictionary(uniqueKeysWithValues: assignments.map { ($0.key.description, $0.value.rawValue) })
        try container.encode(saved, forKey: .assignments)
    }
}
