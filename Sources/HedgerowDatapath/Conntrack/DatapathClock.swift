import CHedgerowABI
import Glibc
import HedgerowBPF
import Synchronization

/// Conntrack's clock: the kernel's ticks (jiffies), as the programs read them. User space needs
/// it to turn conntrack times into durations and the settings' durations into ticks.
///
/// The `datapath_clock` program reads the clock into `hedgerow_clock` when test-run. The tick
/// rate is the kernel's CONFIG_HZ as libbpf found it in the kernel config; without one it is
/// measured once (ticks over 200 ms, rounded to the nearest rate kernels are built with).
final class DatapathClock: Sendable {
    struct Reading: Sendable {
        var ticks: UInt64
        var monotonicNanoseconds: UInt64
    }

    private let program: BPFProgram
    private let map: BPFMap<UInt32, hedgerow_clock>
    private let rate = Mutex<UInt32?>(nil)

    init(program: BPFProgram, map: BPFMap<UInt32, hedgerow_clock>) {
        self.program = program
        self.map = map
    }

    func now() throws -> Reading {
        let raw = try sample()
        return Reading(ticks: raw.ticks, monotonicNanoseconds: raw.monotonic_ns)
    }

    /// Ticks per second (the kernel's HZ).
    func ticksPerSecond() throws -> UInt32 {
        if let known = rate.withLock({ $0 }) { return known }
        let first = try sample()
        var measured = first.ticks_per_second
        if measured == 0 {
            usleep(200_000)
            let second = try sample()
            let perSecond = Double(second.ticks &- first.ticks) * 1e9 / Double(max(second.monotonic_ns &- first.monotonic_ns, 1))
            measured = [100, 250, 300, 1000].min { abs(Double($0) - perSecond) < abs(Double($1) - perSecond) }!
        }
        rate.withLock { $0 = measured }
        return measured
    }

    /// The CLOCK_MONOTONIC time of `ticks`, at tick resolution.
    func monotonicNanoseconds(ofTicks ticks: UInt64, now: Reading, perSecond: UInt32) -> UInt64 {
        let delta = Int64(bitPattern: ticks &- now.ticks) * 1_000_000_000 / Int64(perSecond)
        return UInt64(max(Int64(now.monotonicNanoseconds) + delta, 0))
    }

    private func sample() throws -> hedgerow_clock {
        _ = try program.testRun(.tc(packet: [UInt8](repeating: 0, count: 14)))
        return try map.lookup(0) ?? hedgerow_clock()
    }
}
