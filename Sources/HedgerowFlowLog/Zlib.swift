import CZlib

/// The three zlib calls the log needs, on byte buffers.
enum Zlib {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "zlib \(operation) failed with code \(code)" }
    }

    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        return UInt32(truncatingIfNeeded: CZlib.crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }

    static func compress(_ bytes: [UInt8], level: Int32) throws(Failure) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let code = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), level)
            }
        }
        guard code == Z_OK else { throw Failure(operation: "compress2", code: code) }
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Inflates into exactly `rawLength` bytes; any other outcome is a failure.
    static func decompress(_ bytes: UnsafeRawBufferPointer, rawLength: Int, into output: inout [UInt8]) throws(Failure) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: repeatElement(0, count: rawLength))
        var length = uLongf(rawLength)
        let code = output.withUnsafeMutableBufferPointer { out in
            uncompress(out.baseAddress, &length, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(bytes.count))
        }
        guard code == Z_OK else { throw Failure(operation: "uncompress", code: code) }
        guard Int(length) == rawLength else { throw Failure(operation: "uncompress (length \(length) != \(rawLength))", code: Z_DATA_ERROR) }
    }
}
