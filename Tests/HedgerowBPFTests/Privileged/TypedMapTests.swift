import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

@Suite("Typed maps")
struct TypedMapTests {
    struct Pair: Equatable { var first: UInt32; var second: UInt32 }

    /// An IPv4 LPM trie key as C declares it: prefix length, then the address bytes.
    struct IPv4Prefix { var prefixLength: UInt32; var address: (UInt8, UInt8, UInt8, UInt8) }

    @Test("lookup, update with flags, delete on a hash map", .enabled(if: Privileged.shouldRun))
    func crud() throws {
        try Privileged.require()
        let map = try BPFMap<UInt32, Pair>.create(type: .hash, maxEntries: 64, name: "crud")
        #expect(map.handle.keySize == 4 && map.handle.valueSize == 8)
        #expect(map.name == "crud")
        #expect(try map.lookup(1) == nil)
        try map.update(1, Pair(first: 10, second: 11))
        #expect(try map.lookup(1) == Pair(first: 10, second: 11))

        let exists = #expect(throws: BPFError.self) { try map.update(1, Pair(first: 0, second: 0), flags: .noExist) }
        #expect(exists?.errno == EEXIST)
        #expect(exists?.mapName == "crud")
        let absent = #expect(throws: BPFError.self) { try map.update(2, Pair(first: 0, second: 0), flags: .exist) }
        #expect(absent?.errno == ENOENT)
        try map.update(1, Pair(first: 20, second: 21), flags: .exist)
        try map.update(2, Pair(first: 30, second: 31), flags: .noExist)
        #expect(try map.lookup(1) == Pair(first: 20, second: 21))

        #expect(try map.delete(1))
        #expect(try map.delete(1) == false)
        #expect(try map.lookup(1) == nil)
        #expect(try map.keys() == [2])
    }

    @Test("keys and entries iterate everything; batch update, lookup and delete use the kernel's batch calls",
          .enabled(if: Privileged.shouldRun))
    func iterationAndBatch() throws {
        try Privileged.require()
        let map = try BPFMap<UInt32, Pair>.create(type: .hash, maxEntries: 1024)
        let entries = (1...300 as ClosedRange<UInt32>).map { (key: $0, value: Pair(first: $0 * 2, second: $0 * 3)) }
        let written = try map.updateBatch(entries)
        #expect(written == BPFMapBatchOutcome(count: 300, usedKernelBatch: true))

        #expect(try map.keys().sorted() == Array(1...300))
        let read = try map.entries().sorted { $0.key < $1.key }
        #expect(read.map(\.key) == entries.map(\.key))
        #expect(read.map(\.value) == entries.map(\.value))
        let batched = try #require(try map.lookupBatch())
        #expect(batched.count == 300)

        let deleted = try map.deleteBatch(Array(1...100))
        #expect(deleted == BPFMapBatchOutcome(count: 100, usedKernelBatch: true))
        #expect(try map.keys().count == 200)
        // Like the kernel, a batch delete stops at the first missing key.
        let missing = #expect(throws: BPFError.self) { try map.deleteBatch([150, 50, 151]) }
        #expect(missing?.errno == ENOENT)
        #expect(try map.lookup(150) == nil)
        #expect(try map.lookup(151) != nil)

        // Flags other than .any are not batchable: the same call goes element by element.
        let conditional = try map.updateBatch([(key: 151, value: Pair(first: 0, second: 0))], flags: .exist)
        #expect(conditional == BPFMapBatchOutcome(count: 1, usedKernelBatch: false))
    }

    @Test("an LPM trie takes plain struct keys and falls back cleanly where it has no batch calls",
          .enabled(if: Privileged.shouldRun))
    func lpmTrie() throws {
        try Privileged.require()
        let trie = try BPFMap<IPv4Prefix, UInt32>.create(type: .lpmTrie, maxEntries: 16, flags: .noPreallocation)
        #expect(trie.handle.keySize == 8)
        try trie.update(IPv4Prefix(prefixLength: 8, address: (10, 0, 0, 0)), 1)
        try trie.update(IPv4Prefix(prefixLength: 16, address: (10, 1, 0, 0)), 2)
        #expect(try trie.lookup(IPv4Prefix(prefixLength: 32, address: (10, 1, 2, 3))) == 2)
        #expect(try trie.lookup(IPv4Prefix(prefixLength: 32, address: (10, 2, 0, 1))) == 1)
        #expect(try trie.lookup(IPv4Prefix(prefixLength: 32, address: (11, 0, 0, 1))) == nil)

        #expect(Set(try trie.keys().map(\.prefixLength)) == [8, 16])
        #expect(Set(try trie.entries().map(\.value)) == [1, 2])
        let added = try trie.updateBatch([(key: IPv4Prefix(prefixLength: 24, address: (10, 1, 2, 0)), value: 3)])
        #expect(added.count == 1)
        #expect(try trie.lookup(IPv4Prefix(prefixLength: 32, address: (10, 1, 2, 3))) == 3)
        #expect(try trie.deleteBatch([IPv4Prefix(prefixLength: 24, address: (10, 1, 2, 0))]).count == 1)
        #expect(try trie.lookup(IPv4Prefix(prefixLength: 32, address: (10, 1, 2, 3))) == 2)
    }

    @Test("key or value sizes that do not match the map are a clear error", .enabled(if: Privileged.shouldRun))
    func sizeMismatch() throws {
        try Privileged.require()
        let handle = try BPFMapHandle.create(type: .hash, keySize: 4, valueSize: 8, maxEntries: 4, name: "sized")
        let keyError = #expect(throws: BPFError.self) { try BPFMap<UInt64, Pair>(handle) }
        #expect(keyError?.kind == .sizeMismatch)
        #expect(keyError?.description == "open typed map failed (map 'sized'): the map's key is 4 bytes but UInt64 is 8 bytes (stride 8)")
        let valueError = #expect(throws: BPFError.self) { try BPFMap<UInt32, UInt32>(handle) }
        #expect(valueError?.kind == .sizeMismatch)
        #expect(valueError?.description.contains("value is 8 bytes") == true)
        // A per-CPU view of a plain map (and the reverse) is refused as well.
        #expect(throws: BPFError.self) { try BPFPerCPUMap<UInt32, Pair>(handle) }
    }

    @Test("per-CPU maps hold one value per possible CPU", .enabled(if: Privileged.shouldRun))
    func perCPU() throws {
        try Privileged.require()
        let map = try BPFPerCPUMap<UInt32, UInt32>.create(type: .perCPUHash, maxEntries: 8)
        #expect(map.cpuCount >= 1)
        #expect(map.layout.stride == 8)
        try map.update(1, allCPUs: 5)
        #expect(try map.lookup(1) == Array(repeating: 5, count: map.cpuCount))
        let distinct = (0..<map.cpuCount).map { UInt32($0 + 100) }
        try map.update(2, perCPU: distinct)
        #expect(try map.lookup(2) == distinct)
        let entries = try map.entries().sorted { $0.key < $1.key }
        #expect(entries.map(\.key) == [1, 2])
        #expect(entries[1].values == distinct)
        let wrongCount = #expect(throws: BPFError.self) { try map.update(3, perCPU: distinct + [1]) }
        #expect(wrongCount?.kind == .invalidArgument)
        #expect(try map.delete(2))

        let plainView = #expect(throws: BPFError.self) { try BPFMap<UInt32, UInt32>(map.handle) }
        #expect(plainView?.kind == .invalidArgument)
    }

    @Test("pin, open pinned, unpin", .enabled(if: Privileged.shouldRun))
    func pinning() throws {
        try Privileged.require()
        let pins = try TestPinRoot()
        defer { pins.destroy() }
        let path = pins.pin("pinned_map")
        do {
            let map = try BPFMap<UInt32, Pair>.create(type: .hash, maxEntries: 4, name: "pinned_map")
            try map.update(9, Pair(first: 1, second: 2))
            try map.pin(at: path)
            map.handle.close()
            let closed = #expect(throws: BPFError.self) { try map.lookup(9) }
            #expect(closed?.kind == .closed)
        }
        // Only the pin holds the map now.
        let reopened = try BPFMap<UInt32, Pair>.openPinned(path)
        #expect(try reopened.lookup(9) == Pair(first: 1, second: 2))
        #expect(reopened.name == "pinned_map")
        #expect(try BPFPin.remove(path))
        #expect(try BPFPin.remove(path) == false)
        let gone = #expect(throws: BPFError.self) { try BPFMapHandle.openPinned(path) }
        #expect(gone?.errno == ENOENT)
        #expect(gone?.path == path)
        // The open handle keeps the unpinned map alive.
        #expect(try reopened.lookup(9) != nil)
        #expect(try BPFMapHandle.open(id: reopened.handle.info.id).info == reopened.handle.info)
    }

    @Test("arrays support batch update and lookup; deleting array elements is refused",
          .enabled(if: Privileged.shouldRun))
    func arrays() throws {
        try Privileged.require()
        let array = try BPFMap<UInt32, UInt64>.create(type: .array, maxEntries: 4)
        #expect(try array.keys() == [0, 1, 2, 3])
        #expect(try array.updateBatch([(key: 0, value: 7), (key: 3, value: 9)]).usedKernelBatch)
        #expect(try array.entries().map(\.value) == [7, 0, 0, 9])
        let error = #expect(throws: BPFError.self) { try array.delete(0) }
        #expect(error?.errno == EINVAL)
    }
}
