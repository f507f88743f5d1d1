/// MurmurHash3, x64 128-bit variant (Austin Appleby's public-domain algorithm), little-endian
/// block reads as the reference does on x86.
///
/// Used where every node must compute the same numbers from the same inputs (Maglev
/// permutations, preferred service ids): unlike Swift's `Hasher`, it is not seeded per process.
/// Changing it changes every Maglev table, so it is fixed; tests pin known outputs.
public enum MurmurHash3 {
    public static func hash128(_ bytes: [UInt8], seed: UInt32 = 0) -> (h1: UInt64, h2: UInt64) {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1 = UInt64(seed)
        var h2 = UInt64(seed)
        let blockCount = bytes.count / 16

        bytes.withUnsafeBufferPointer { buffer in
            for block in 0..<blockCount {
                var k1 = readLittleEndian(buffer, at: block * 16, count: 8)
                var k2 = readLittleEndian(buffer, at: block * 16 + 8, count: 8)
                k1 = k1 &* c1
                k1 = rotateLeft(k1, 31)
                k1 = k1 &* c2
                h1 ^= k1
                h1 = rotateLeft(h1, 27)
                h1 = h1 &+ h2
                h1 = h1 &* 5 &+ 0x52dc_e729

                k2 = k2 &* c2
                k2 = rotateLeft(k2, 33)
                k2 = k2 &* c1
                h2 ^= k2
                h2 = rotateLeft(h2, 31)
                h2 = h2 &+ h1
                h2 = h2 &* 5 &+ 0x3849_5ab5
            }

            // The 0-15 bytes left over: the first 8 feed k1, the rest k2.
            let tail = blockCount * 16
            let remaining = bytes.count - tail
            if remaining > 8 {
                var k2 = readLittleEndian(buffer, at: tail + 8, count: remaining - 8)
                k2 = k2 &* c2
                k2 = rotateLeft(k2, 33)
                k2 = k2 &* c1
                h2 ^= k2
            }
            if remaining > 0 {
                var k1 = readLittleEndian(buffer, at: tail, count: min(remaining, 8))
                k1 = k1 &* c1
                k1 = rotateLeft(k1, 31)
                k1 = k1 &* c2
                h1 ^= k1
            }
        }

        h1 ^= UInt64(bytes.count)
        h2 ^= UInt64(bytes.count)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = finalMix(h1)
        h2 = finalMix(h2)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        return (h1, h2)
    }

    private static func readLittleEndian(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count {
            value |= UInt64(buffer[offset + index]) << (8 * UInt64(index))
        }
        return value
    }

    private static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    private static func finalMix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}
