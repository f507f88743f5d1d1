/// Why a Maglev configuration is refused.
public enum MaglevError: Error, Hashable, Sendable, CustomStringConvertible {
    case tableSizeNotPrime(Int)
    case tableSizeOutOfRange(Int)

    public var description: String {
        switch self {
        case .tableSizeNotPrime(let size):
            "Maglev table size \(size) is not a prime (a prime size makes every backend's skip walk the whole table)"
        case .tableSizeOutOfRange(let size):
            "Maglev table size \(size) is out of range (\(MaglevConfiguration.tableSizeRange))"
        }
    }
}

/// Table size and hash seed. Every node must use the same configuration so that any node picks
/// the same backend for a flow.
public struct MaglevConfiguration: Hashable, Sendable {
    /// Cilium's default, and ours: with M > 100 × backends, few entries move on a change.
    public static let defaultTableSize = 16381
    public static let tableSizeRange = 2...16_777_213
    public static let `default` = MaglevConfiguration(checkedTableSize: defaultTableSize, seed: 0)

    /// M: a prime.
    public let tableSize: Int
    /// Seed of the backend-name hash.
    public let seed: UInt32

    public init(tableSize: Int = defaultTableSize, seed: UInt32 = 0) throws(MaglevError) {
        guard Self.tableSizeRange.contains(tableSize) else { throw .tableSizeOutOfRange(tableSize) }
        guard Self.isPrime(tableSize) else { throw .tableSizeNotPrime(tableSize) }
        self.init(checkedTableSize: tableSize, seed: seed)
    }

    private init(checkedTableSize: Int, seed: UInt32) {
        tableSize = checkedTableSize
        self.seed = seed
    }

    static func isPrime(_ number: Int) -> Bool {
        guard number >= 2 else { return false }
        if number < 4 { return true }
        if number % 2 == 0 { return false }
        var divisor = 3
        while divisor * divisor <= number {
            if number % divisor == 0 { return false }
            divisor += 2
        }
        return true
    }
}

/// A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
/// Balancer", NSDI 2016): M entries, each naming a backend, filled so that backends get
/// (weighted) equal shares and a backend change moves few entries of the others.
///
/// Each backend's preference list is the permutation `(offset + j × skip) mod M`, where
/// `(h1, h2)` = MurmurHash3 x64-128 of the backend's name (UTF-8, seeded with
/// `configuration.seed`), `offset = h1 mod M` and `skip = h2 mod (M − 1) + 1`. Backends take
/// turns claiming their next free preferred entry until the table is full. Turns go in
/// order of name, so the table depends only on the set of (name, weight) pairs and the
/// configuration: the same on every node, whatever order the backends are listed in.
///
/// Weights: in each round a backend earns its weight in credit and claims an entry whenever
/// its credit reaches the largest weight, so shares are proportional to weights; weight 0
/// takes no entries. Without weights every backend gets ⌊M/N⌋ or ⌈M/N⌉ entries.
public struct MaglevTable: Hashable, Sendable {
    public let configuration: MaglevConfiguration
    /// As given: `entries` holds indices into this list.
    public let backendNames: [String]
    /// M indices into `backendNames`; empty when no backend has a positive weight.
    public let entries: [UInt32]

    /// - Parameters:
    ///   - backendNames: unique names (for services: `BackendAddress.description`).
    ///   - weights: one per backend; nil for equal weights.
    public init(backendNames: [String], weights: [UInt32]? = nil, configuration: MaglevConfiguration = .default) {
        precondition(weights == nil || weights!.count == backendNames.count, "one weight per backend")
        self.configuration = configuration
        self.backendNames = backendNames
        entries = Self.populate(names: backendNames, weights: weights, configuration: configuration)
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The backend index for a flow hash (the datapath computes `hash mod M` the same way).
    public func backendIndex(forHash hash: UInt64) -> Int? {
        entries.isEmpty ? nil : Int(entries[Int(hash % UInt64(entries.count))])
    }

    /// Entries per backend, indexed like `backendNames`.
    public var entryCounts: [Int] {
        var counts = Array(repeating: 0, count: backendNames.count)
        for entry in entries { counts[Int(entry)] += 1 }
        return counts
    }

    /// The permutation parameters of one backend name.
    public static func permutation(of name: String, configuration: MaglevConfiguration) -> (offset: Int, skip: Int) {
        let hash = MurmurHash3.hash128(Array(name.utf8), seed: configuration.seed)
        let size = UInt64(configuration.tableSize)
        let skip = size > 1 ? Int(hash.h2 % (size - 1)) + 1 : 1
        return (Int(hash.h1 % size), skip)
    }

    private static func populate(names: [String], weights: [UInt32]?, configuration: MaglevConfiguration) -> [UInt32] {
        let size = configuration.tableSize
        let turnOrder = names.indices
            .filter { (weights?[$0] ?? 1) > 0 }
            .sorted { names[$0] < names[$1] }
        guard !turnOrder.isEmpty else { return [] }
        let maxWeight = turnOrder.map { UInt64(weights?[$0] ?? 1) }.max()!

        let empty = UInt32.max
        var table = [UInt32](repeating: empty, count: size)
        var position = [Int](repeating: 0, count: names.count)
        var skip = [Int](repeating: 1, count: names.count)
        var credit = [UInt64](repeating: 0, count: names.count)
        for index in turnOrder {
            (position[index], skip[index]) = permutation(of: names[index], configuration: configuration)
        }
        var filled = 0
        while true {
            for index in turnOrder {
                credit[index] += UInt64(weights?[index] ?? 1)
                guard credit[index] >= maxWeight else { continue }
                credit[index] -= maxWeight
                // Walk this backend's permutation to its next free entry. Since M is prime,
                // the walk visits every entry, and one is free while the table is not full.
                var slot = position[index]
                while table[slot] != empty {
                    slot += skip[index]
                    if slot >= size { slot -= size }
                }
                table[slot] = UInt32(index)
                slot += skip[index]
                position[index] = slot >= size ? slot - size : slot
                filled += 1
                if filled == size { return table }
            }
        }
    }
}
