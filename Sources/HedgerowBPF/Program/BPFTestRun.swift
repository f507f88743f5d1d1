import CLibBPF
import CLibBPFShim

/// Runs a loaded program on a synthetic input (`BPF_PROG_TEST_RUN`): packets for tc and XDP
/// programs, without any traffic. Tests check verdicts and map effects with it; benchmarks
/// measure the kernel's per-run time.
public enum BPFTestRun {
    public struct Input: Sendable {
        /// The packet, starting at the Ethernet header (tc and XDP need at least 14 bytes).
        public var data: [UInt8]
        /// The program's context (e.g. a `struct __sk_buff` for tc), or nil for the kernel's default.
        public var context: [UInt8]?
        /// How many times to run; the result is the last run's, the duration the mean.
        public var repetitions: Int
        /// Room for the packet as the program leaves it (programs can grow packets).
        public var dataOutCapacity: Int

        public init(data: [UInt8], context: [UInt8]? = nil, repetitions: Int = 1, dataOutCapacity: Int? = nil) {
            self.data = data
            self.context = context
            self.repetitions = repetitions
            self.dataOutCapacity = dataOutCapacity ?? data.count + 256
        }

        /// A tc run on `packet` as if it passed the device `ifindex` (0: none) with `mark` set.
        /// With an ifindex the program sees `skb->ifindex` and the device must exist.
        public static func tc(packet: [UInt8], ifindex: UInt32 = 0, mark: UInt32 = 0, repetitions: Int = 1) -> Input {
            var skb = __sk_buff()
            skb.ifindex = ifindex
            skb.mark = mark
            return Input(data: packet, context: withUnsafeBytes(of: skb) { Array($0) }, repetitions: repetitions)
        }
    }

    public struct Result: Sendable {
        /// The program's return value (e.g. `TC_ACT_OK` = 0, `TC_ACT_SHOT` = 2).
        public var returnValue: UInt32
        /// The packet after the program ran.
        public var data: [UInt8]
        /// The context after the program ran (empty when none was given).
        public var context: [UInt8]
        /// The kernel's mean time per run.
        public var meanDuration: Duration
    }
}

extension BPFProgram {
    /// Runs the program on `input` in the kernel (needs the same privileges as loading).
    public func testRun(_ input: BPFTestRun.Input) throws -> BPFTestRun.Result {
        try withDescriptor(operation: "test run") { fd in
            var dataOut = [UInt8](repeating: 0, count: max(input.dataOutCapacity, 1))
            let context = input.context ?? []
            var contextOut = [UInt8](repeating: 0, count: context.count)
            var run = clibbpf_test_run()
            let status = input.data.withUnsafeBytes { dataIn in
                context.withUnsafeBytes { contextIn in
                    dataOut.withUnsafeMutableBytes { dataOutBuffer in
                        contextOut.withUnsafeMutableBytes { contextOutBuffer in
                            run.data_in = dataIn.baseAddress
                            run.data_size_in = UInt32(dataIn.count)
                            run.data_out = dataOutBuffer.baseAddress
                            run.data_size_out = UInt32(dataOutBuffer.count)
                            if !context.isEmpty {
                                run.ctx_in = contextIn.baseAddress
                                run.ctx_size_in = UInt32(contextIn.count)
                                run.ctx_out = contextOutBuffer.baseAddress
                                run.ctx_size_out = UInt32(contextOutBuffer.count)
                            }
                            run.repeat = Int32(max(input.repetitions, 1))
                            return clibbpf_prog_test_run(fd, &run)
                        }
                    }
                }
            }
            guard status == 0 else { throw BPFError.system("test run", errno: status, programName: name) }
            return BPFTestRun.Result(
                returnValue: run.retval,
                data: Array(dataOut.prefix(Int(run.data_size_out))),
                context: Array(contextOut.prefix(Int(run.ctx_size_out))),
                meanDuration: .nanoseconds(Int64(run.duration_ns)))
        }
    }
}
