import Glibc
import HedgerowCore

/// Converts the datapath's CLOCK_MONOTONIC timestamps to wall-clock time, with the offset
/// between the two clocks measured when the converter is made (make a new one now and then to
/// follow clock adjustments).
public struct WallClock: Sendable {
    /// CLOCK_REALTIME minus CLOCK_MONOTONIC, in nanoseconds.
    public let offsetNanoseconds: Int64

    public init() {
        // Bracket the realtime reading with two monotonic ones and take their midpoint.
        let before = Self.read(CLOCK_MONOTONIC)
        let realtime = Self.read(CLOCK_REALTIME)
        let after = Self.read(CLOCK_MONOTONIC)
        offsetNanoseconds = realtime - (before / 2 + after / 2)
    }

    public init(offsetNanoseconds: Int64) { self.offsetNanoseconds = offsetNanoseconds }

    public func timestamp(monotonicNanoseconds: UInt64) -> FlowTimestamp {
        FlowTimestamp(nanosecondsSinceEpoch: Int64(clamping: monotonicNanoseconds) &+ offsetNanoseconds)
    }

    /// Nanoseconds on CLOCK_MONOTONIC now: the clock of flow event times.
    public static func monotonicNow() -> UInt64 { UInt64(read(CLOCK_MONOTONIC)) }

    private static func read(_ clock: clockid_t) -> Int64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
