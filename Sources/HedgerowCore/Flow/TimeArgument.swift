/// Times as users type them to Go-made tools (hubble, kubectl), for every `--since`, `--until`
/// and age option: a duration before now ("5m", "1h30m", "1.5s", Go's syntax) or a time
/// (RFC 3339 with or without fraction and zone, "2024-11-26", "2024-11-26T21:04", RFC 1123 with
/// numeric zone, or Hubble's "Nov 26 21:04:05.123" in the current year). Times without a zone
/// are UTC.
public enum TimeArgument {
    public static func parse(_ text: String, now: FlowTimestamp) -> FlowTimestamp? {
        if let nanoseconds = duration(text) {
            return FlowTimestamp(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch - nanoseconds)
        }
        return absolute(text, now: now)
    }

    /// Go's time.ParseDuration: a sequence of decimal numbers with units ns, us, µs, ms, s, m, h.
    public static func duration(_ text: String) -> Int64? {
        var rest = Substring(text)
        var total: Double = 0
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else {
                return nil
            }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return Int64(negative ? -total : total)
    }

    private static func absolute(_ text: String, now: FlowTimestamp) -> FlowTimestamp? {
        iso(text) ?? rfc1123(text) ?? stamp(text, now: now)
    }

    /// YYYY-MM-DD[THH[:MM[:SS[.fraction]]]][Z|±HH:MM]
    private static func iso(_ text: String) -> FlowTimestamp? {
        var scanner = Scanner(text)
        guard let year = scanner.number(4), scanner.take("-"), let month = scanner.number(2), scanner.take("-"),
            let day = scanner.number(2), CivilTime.isValid(year: year, month: month, day: day)
        else { return nil }
        var time = CivilTime(year: year, month: month, day: day)
        if scanner.take("T") || scanner.take(" ") {
            guard let hour = scanner.number(2), hour < 24 else { return nil }
            time.hour = hour
            if scanner.take(":") {
                guard let minute = scanner.number(2), minute < 60 else { return nil }
                time.minute = minute
                if scanner.take(":") {
                    guard let second = scanner.number(2), second < 61 else { return nil }
                    time.second = second
                    if scanner.take(".") {
                        let digits = scanner.digits()
                        guard !digits.isEmpty else { return nil }
                        time.nanosecond = Int((digits + String(repeating: "0", count: 9)).prefix(9))!
                    }
                }
            }
        }
        guard let offset = scanner.zone(), scanner.atEnd else { return nil }
        return FlowTimestamp(seconds: time.epochSeconds - Int64(offset), nanos: Int32(time.nanosecond))
    }

    /// "Mon, 02 Jan 2006 15:04:05 -0700"
    private static func rfc1123(_ text: String) -> FlowTimestamp? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), let day = Int(parts[1]),
            let month = CivilTime.monthNames.firstIndex(of: String(parts[2])), let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        var zone = Scanner(String(parts[5]))
        guard clock.count == 3, let offset = zone.zone(compact: true) else { return nil }
        let time = CivilTime(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2])
        return FlowTimestamp(seconds: time.epochSeconds - Int64(offset))
    }

    /// "Jan _2 15:04:05.000" in the year of `now`, UTC.
    private static func stamp(_ text: String, now: FlowTimestamp) -> FlowTimestamp? {
        let parts = text.split(separator: " ")
        guard parts.count == 3, let month = CivilTime.monthNames.firstIndex(of: String(parts[0])), let day = Int(parts[1])
        else { return nil }
        let clockAndFraction = parts[2].split(separator: ".", maxSplits: 1)
        let clock = clockAndFraction[0].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        let fraction = clockAndFraction.count == 2 ? Int((String(clockAndFraction[1]) + "000000000").prefix(9)) ?? 0 : 0
        let year = CivilTime(seconds: now.seconds, nanos: 0).year
        let time = CivilTime(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2])
        return FlowTimestamp(seconds: time.epochSeconds, nanos: Int32(fraction))
    }

    private struct Scanner {
        let characters: [Character]
        var position = 0
        init(_ text: String) { characters = Array(text) }

        var atEnd: Bool { position == characters.count }

        mutating func take(_ character: Character) -> Bool {
            guard position < characters.count, characters[position] == character else { return false }
            position += 1
            return true
        }

        mutating func number(_ width: Int) -> Int? {
            guard position + width <= characters.count else { return nil }
            let slice = characters[position..<position + width]
            guard slice.allSatisfy(\.isASCII), slice.allSatisfy(\.isNumber), let value = Int(String(slice)) else { return nil }
            position += width
            return value
        }

        mutating func digits() -> String {
            var result = ""
            while position < characters.count, characters[position].isASCII, characters[position].isNumber {
                result.append(characters[position])
                position += 1
            }
            return result
        }

        /// Offset east of UTC in seconds: none or "Z" is 0, "+01:00" (or "+0100" when compact).
        mutating func zone(compact: Bool = false) -> Int? {
            if atEnd || take("Z") { return 0 }
            let sign: Int
            if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
            guard let hours = number(2) else { return nil }
            if !compact { guard take(":") else { return nil } }
            guard let minutes = number(2) else { return nil }
            return sign * (hours * 3600 + minutes * 60)
        }
    }
}
