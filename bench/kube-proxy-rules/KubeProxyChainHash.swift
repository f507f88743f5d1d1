import Crypto

/// The chain-name hash kube-proxy's iptables mode uses: SHA-256 of a string, encoded in RFC 4648
/// base32 (standard alphabet), first 16 characters. Reproducing it exactly lets the benchmark
/// baseline carry the chain names a real node would, and lets tests check them against names seen
/// on real clusters (KUBE-SVC-NPX46M4PTMTKRN6Y is `default/kubernetes:https` over TCP).
///
/// Base32 is written out here: Foundation has none, and it is a dozen lines.
public enum KubeProxyChainHash {
    /// The first 16 base32 characters of SHA-256(`text`).
    public static func hash16(_ text: String) -> String {
        String(base32(Array(SHA256.hash(data: Array(text.utf8)))).prefix(16))
    }

    /// RFC 4648 base32 with the standard alphabet and `=` padding.
    public static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var output: [Character] = []
        output.reserveCapacity((bytes.count + 4) / 5 * 8)
        var buffer: UInt64 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt64(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int(buffer >> UInt64(bits) & 0x1f)])
            }
        }
        if bits > 0 { output.append(alphabet[Int(buffer << UInt64(5 - bits) & 0x1f)]) }
        while output.count % 8 != 0 { output.append("=") }
        return String(output)
    }
}
