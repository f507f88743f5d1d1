import HedgerowBPF
import Testing

@Suite("Errors and verifier logs")
struct ErrorFormattingTests {
    @Test("a system error names the operation, the subjects, errno and its message")
    func systemErrorDescription() {
        let error = BPFError(kind: .system, operation: "update element", errno: 7, mapName: "endpoints")
        #expect(error.description == "update element failed (map 'endpoints'): Argument list too long (errno 7)")
        #expect(error.errnoMessage == "Argument list too long")
    }

    @Test("the kernel's internal ENOTSUPP (524) reads as 'not supported'")
    func enotsuppIsExplained() {
        let error = BPFError(kind: .system, operation: "batch lookup", errno: 524, mapName: "trie")
        #expect(error.description.contains("not supported"))
    }

    @Test("a verifier rejection shows the tail of the log")
    func verifierErrorShowsLogTail() {
        let log = (1...40).map { "\($0): (b7) r0 = \($0)" }.joined(separator: "\n")
        let error = BPFError(kind: .verifierRejected, operation: "load object", errno: 13, objectName: "reject",
                             programName: "bad", verifierLog: log)
        #expect(error.description.hasPrefix("load object failed (object 'reject', program 'bad'): Permission denied (errno 13)"))
        #expect(error.description.contains("verifier log (last \(BPFError.describedVerifierLines) lines)"))
        #expect(error.description.contains("40: (b7) r0 = 40"))
        #expect(!error.description.contains("\n1: (b7) r0 = 1\n"))
    }

    @Test("an error without errno shows its detail")
    func detailOnly() {
        let error = BPFError(kind: .sizeMismatch, operation: "open typed map", mapName: "m", detail: "key is 4 bytes")
        #expect(error.description == "open typed map failed (map 'm'): key is 4 bytes")
    }

    @Test("the verifier log is cut out of libbpf's messages, with the program's name")
    func extractsVerifierLog() throws {
        let output = """
            libbpf: prog 'drop_all': BPF program load failed: Permission denied
            libbpf: prog 'drop_all': -- BEGIN PROG LOAD LOG --
            0: R1=ctx() R10=fp0
            0: (61) r2 = *(u32 *)(r1 +76)
            1: (71) r0 = *(u8 *)(r2 +0)
            invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)
            processed 2 insns (limit 1000000)
            -- END PROG LOAD LOG --
            libbpf: prog 'drop_all': failed to load: -13
            libbpf: failed to load object 'reject'

            """
        let extract = try #require(VerifierLogExtract(libbpfOutput: output))
        #expect(extract.programName == "drop_all")
        #expect(extract.log.hasPrefix("0: R1=ctx() R10=fp0"))
        #expect(extract.log.hasSuffix("processed 2 insns (limit 1000000)"))
    }

    @Test("a log whose start was cut off by the capture still yields its tail")
    func extractsTruncatedLog() throws {
        let output = "r0 = *(u8 *)(r2 +0)\ninvalid access to packet\n-- END PROG LOAD LOG --\nlibbpf: prog 'p': failed to load: -13\n"
        let extract = try #require(VerifierLogExtract(libbpfOutput: output))
        #expect(extract.log == "r0 = *(u8 *)(r2 +0)\ninvalid access to packet")
        #expect(extract.programName == "p")
    }

    @Test("output without a program load log yields nothing")
    func noLog() {
        #expect(VerifierLogExtract(libbpfOutput: "libbpf: map 'x': failed to create: -22\n") == nil)
    }
}
