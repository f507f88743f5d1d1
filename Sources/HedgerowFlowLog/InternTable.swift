/// Maps encoded sub-messages to their decoded values, so that flows read back share one
/// endpoint, service or policy list the way the agent's enricher made them share it: a hit
/// costs a hash of the bytes and one comparison, and allocates nothing.
struct InternTable<Value> {
    private var buckets: [Int: [(bytes: [UInt8], value: Value)]] = [:]
    /// Bounds memory when a block holds many distinct values; the table starts over.
    private let capacity: Int
    private var count = 0

    init(capacity: Int = 4096) { self.capacity = capacity }

    mutating func value(for bytes: UnsafeRawBufferPointer, decode: () throws -> Value) rethrows -> Value {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        let key = hasher.finalize()
        if let entries = buckets[key] {
            for entry in entries where entry.bytes.elementsEqual(bytes) { return entry.value }
        }
        let value = try decode()
        if count >= capacity {
            buckets.removeAll(keepingCapacity: true)
            count = 0
        }
        buckets[key, default: []].append((Array(bytes), value))
        count += 1
        return value
    }
}
