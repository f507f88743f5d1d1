/// CRC32c (Castagnoli, reflected polynomial 0x82F63B78), the checksum of SCTP packets
/// (RFC 9260 section 6.8, appendix A). Table-driven: a probe checksums a few dozen bytes.
public enum CRC32C {
    /// The standard CRC32c value (initial all-ones, final complement): "123456789" gives 0xE3069283.
    public static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
        }
        return ~crc
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1 }
        return value
    }
}
