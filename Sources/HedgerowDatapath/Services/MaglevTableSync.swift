import CHedgerowABI
import HedgerowBPF
import HedgerowCore

/// Writes Maglev lookup tables into `hedgerow_maglev` (service id -> inner array of M backend
/// ids). A table is never edited in place: a new inner map is filled and then swapped into the
/// outer slot with one update, so the node-level LB sees the old table or the new one, whole.
/// The old inner map is freed by the kernel once no program uses it.
struct MaglevTableSync: Sendable {
    let outer: BPFMap<UInt32, UInt32>
    let configuration: MaglevConfiguration

    /// The table's entries as backend ids: Maglev's entries index `backends`.
    static func entries(_ backends: [MaglevBackend], configuration: MaglevConfiguration) -> [UInt32] {
        let table = MaglevTable(backendNames: backends.map(\.name), configuration: configuration)
        return table.entries.map { backends[Int($0)].id }
    }

    func replace(serviceID: UInt16, backends: [MaglevBackend]) throws {
        let entries = Self.entries(backends, configuration: configuration)
        let inner = try BPFMap<UInt32, UInt32>.create(
            type: .array, maxEntries: configuration.tableSize, flags: [.innerMap], name: "hedgerow_maglev")
        defer { inner.handle.close() }  // the outer map holds it from the swap on
        try inner.updateBatch(entries.enumerated().map { (key: UInt32($0.offset), value: $0.element) })
        try inner.handle.withDescriptor(operation: "swap Maglev table") { fd in
            try outer.update(UInt32(serviceID), UInt32(bitPattern: fd))
        }
    }

    func delete(serviceID: UInt16) throws {
        _ = try outer.delete(UInt32(serviceID))
    }

    /// The backend ids of the table installed for `serviceID` (nil: none).
    func table(serviceID: UInt16) throws -> [UInt32]? {
        guard let innerID = try outer.lookup(UInt32(serviceID)) else { return nil }
        let inner = try BPFMap<UInt32, UInt32>(BPFMapHandle.open(id: innerID))
        defer { inner.handle.close() }
        return try inner.entries().sorted { $0.key < $1.key }.map(\.value)
    }
}
