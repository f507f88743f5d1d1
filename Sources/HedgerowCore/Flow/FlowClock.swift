import Foundation

/// Wall-clock time, the clock flows and lost events are stamped with (and `--since` counts from).
public enum FlowClock {
    public static func now() -> FlowTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return FlowTimestamp(seconds: Int64(spec.tv_sec), nanos: Int32(spec.tv_nsec))
    }
}
