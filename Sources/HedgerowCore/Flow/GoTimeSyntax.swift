/// Times as users type them to Go-made tools (hubble, kubectl): a Go duration ("2h", "90m",
/// "1h30m"; `--since` counts it back from now) or an RFC 3339 time ("2026-11-27T06:00:00Z",
/// fraction and offset allowed). Used by `hpolicy diff --since` and `hagent run --flow-log-max-age`.
public enum GoTimeSyntax {
    public static func parse(_ text: String, now: FlowTimestamp) -> FlowTimestamp? {
        if let nanoseconds = goDuration(text) {
            return FlowTimestamp(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch - nanoseconds)
        }
        return rfc3339(text)
    }

    /// Go's duration syntax (decimal numbers with units h, m, s, ms, us, µs, ns), in nanoseconds.
    public static func goDuration(_ text: String) -> Int64? {
        // Longer units first: "ms" is not "m" followed by garbage.
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("h", 3600e9), ("m", 60e9), ("s", 1e9),
        ]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return Int64(total)
    }

    /// YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM); "t", "z" and a space for "T" are accepted.
    public static func rfc3339(_ text: String) -> FlowTimestamp? {
        let characters = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= characters.count else { return nil }
            var value = 0
            for character in characters[index..<index + count] {
                guard character >= 48 && character <= 57 else { return nil }
                value = value * 10 + Int(character - 48)
            }
            index += count
            return value
        }
        func take(_ allowed: String) -> Bool {
            guard index < characters.count, allowed.utf8.contains(characters[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), take("-"), let month = digits(2), take("-"), let day = digits(2),
            take("Tt "), let hour = digits(2), take(":"), let minute = digits(2), take(":"), let second = digits(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var nanos = 0
        if take(".") {
            var scale = 100_000_000
            let start = index
            while index < characters.count, characters[index] >= 48 && characters[index] <= 57 {
                nanos += Int(characters[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if !take("Zz") {
            guard index < characters.count else { return nil }
            let sign = characters[index] == UInt8(ascii: "-") ? -1 : 1
            guard take("+-"), let hours = digits(2), take(":"), let minutes = digits(2) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard index == characters.count else { return nil }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second
            - offset
        return FlowTimestamp(seconds: Int64(seconds), nanos: Int32(nanos))
    }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
