/// Appends the primitives of the record and file formats to a byte array: LEB128 varints,
/// zigzag for signed values, little-endian fixed-width integers and length-prefixed bytes.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Zigzag keeps small negative numbers short (-1 is 1, 1 is 2).
    mutating func signedVarint(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Network order, as addresses and UUIDs are printed.
    mutating func bigEndian128(_ value: UInt128) {
        bigEndian(UInt64(truncatingIfNeeded: value >> 64))
        bigEndian(UInt64(truncatingIfNeeded: value))
    }

    mutating func bigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func lengthPrefixed(_ data: some Collection<UInt8>) {
        varint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { lengthPrefixed($0) }
    }
}
