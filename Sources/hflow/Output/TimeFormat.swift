import ArgumentParser
import HedgerowCore

/// `--time-format`: Hubble's layouts, always in UTC.
enum TimeFormat: String, CaseIterable, ExpressibleByArgument {
    case stampMilli = "StampMilli"
    case yearMonthDay = "YearMonthDay"
    case yearMonthDayHour = "YearMonthDayHour"
    case yearMonthDayHourMinute = "YearMonthDayHourMinute"
    case rfc3339 = "RFC3339"
    case rfc3339Milli = "RFC3339Milli"
    case rfc3339Micro = "RFC3339Micro"
    case rfc3339Nano = "RFC3339Nano"
    case rfc1123Z = "RFC1123Z"

    func format(_ time: FlowTimestamp) -> String {
        let t = CivilTime(seconds: time.seconds, nanos: time.nanos)
        let date = "\(zeroPadded(t.year, 4))-\(zeroPadded(t.month, 2))-\(zeroPadded(t.day, 2))"
        let clock = "\(zeroPadded(t.hour, 2)):\(zeroPadded(t.minute, 2)):\(zeroPadded(t.second, 2))"
        let nanos = zeroPadded(t.nanosecond, 9)
        switch self {
        case .stampMilli:
            let day = t.day < 10 ? " \(t.day)" : String(t.day)
            return "\(CivilTime.monthNames[t.month - 1]) \(day) \(clock).\(nanos.prefix(3))"
        case .yearMonthDay: return date
        case .yearMonthDayHour: return "\(date)T\(zeroPadded(t.hour, 2))Z"
        case .yearMonthDayHourMinute: return "\(date)T\(zeroPadded(t.hour, 2)):\(zeroPadded(t.minute, 2))Z"
        case .rfc3339: return "\(date)T\(clock)Z"
        case .rfc3339Milli: return "\(date)T\(clock).\(nanos.prefix(3))Z"
        case .rfc3339Micro: return "\(date)T\(clock).\(nanos.prefix(6))Z"
        case .rfc3339Nano:
            // Go's .999999999: trailing zeros and then the dot are dropped.
            var fraction = Substring(nanos)
            while fraction.last == "0" { fraction = fraction.dropLast() }
            return fraction.isEmpty ? "\(date)T\(clock)Z" : "\(date)T\(clock).\(fraction)Z"
        case .rfc1123Z:
            return "\(CivilTime.weekdayNames[t.weekday]), \(zeroPadded(t.day, 2)) \(CivilTime.monthNames[t.month - 1]) \(zeroPadded(t.year, 4)) \(clock) +0000"
        }
    }
}

func zeroPadded(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}
