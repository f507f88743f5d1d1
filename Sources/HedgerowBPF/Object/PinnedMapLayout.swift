import Glibc

/// A map pinned by an earlier load whose layout differs from what the object declares now
/// (a new agent version changed a struct, or a size option changed). libbpf cannot reuse such
/// a pin; `BPFObject` either refuses to load, naming the map and both layouts, or replaces the
/// pin with a fresh, empty map and reports it (`BPFObject.Options.incompatiblePins`).
public struct PinnedMapMismatch: Sendable, Equatable, CustomStringConvertible {
    public var mapName: String
    public var path: String
    /// The pinned map as the kernel describes it.
    public var pinned: BPFMapLayout
    /// The map as the object declares it (after `maxEntries` overrides).
    public var declared: BPFMapLayout

    public var description: String {
        "map \(mapName) pinned at \(path) has \(pinned.differences(to: declared).joined(separator: ", "))"
    }
}

/// What must match for libbpf to reuse a pinned map: type, key and value size, capacity, flags.
public struct BPFMapLayout: Sendable, Equatable {
    public var type: BPFMapType
    public var keySize: UInt32
    public var valueSize: UInt32
    public var maxEntries: UInt32
    public var flags: UInt32

    public init(type: BPFMapType, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32, flags: UInt32) {
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
    }

    init(_ spec: BPFMapSpec) {
        self.init(type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags)
    }

    init(_ info: BPFMapInfo) {
        self.init(type: info.type, keySize: info.keySize, valueSize: info.valueSize, maxEntries: info.maxEntries, flags: info.flags)
    }

    /// "value size 48 where the object declares 56", one phrase per field that differs.
    func differences(to declared: BPFMapLayout) -> [String] {
        var phrases: [String] = []
        func compare<T: Equatable>(_ what: String, _ pinned: T, _ wanted: T) {
            if pinned != wanted { phrases.append("\(what) \(pinned) where the object declares \(wanted)") }
        }
        compare("type", type, declared.type)
        compare("key size", keySize, declared.keySize)
        compare("value size", valueSize, declared.valueSize)
        compare("max entries", maxEntries, declared.maxEntries)
        compare("flags", String(flags, radix: 16), String(declared.flags, radix: 16))
        return phrases
    }
}

enum PinnedMapLayoutCheck {
    /// The maps pinned under `pinRoot` (by name, as libbpf pins them) that `spec` cannot reuse.
    /// Maps not pinned yet are not mismatches: libbpf creates and pins them.
    static func mismatches(of spec: BPFObjectSpec, pinRoot: String) throws -> [PinnedMapMismatch] {
        var found: [PinnedMapMismatch] = []
        for map in spec.maps where map.pinning == .byName {
            let path = "\(pinRoot)/\(map.name)"
            let pinned: BPFMapHandle
            do { pinned = try BPFMapHandle.openPinned(path) } catch let error as BPFError where error.errno == ENOENT { continue }
            let layout = BPFMapLayout(pinned.info)
            pinned.close()
            let declared = BPFMapLayout(map)
            if layout != declared {
                found.append(PinnedMapMismatch(mapName: map.name, path: path, pinned: layout, declared: declared))
            }
        }
        return found
    }
}
