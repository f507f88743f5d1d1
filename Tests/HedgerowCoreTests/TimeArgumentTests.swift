import Testing

@testable import HedgerowCore

@Suite struct TimeArgumentTests {
    let now = FlowTimestamp(seconds: 1_800_000_000)

    @Test func goDurationsCountBackFromNow() {
        #expect(TimeArgument.parse("2h", now: now) == FlowTimestamp(seconds: 1_800_000_000 - 7200))
        #expect(TimeArgument.parse("1h30m", now: now) == FlowTimestamp(seconds: 1_800_000_000 - 5400))
        #expect(TimeArgument.duration("1.5s") == 1_500_000_000)
        #expect(TimeArgument.duration("250ms") == 250_000_000)
        #expect(TimeArgument.duration("2") == nil)
        #expect(TimeArgument.duration("2d") == nil)
        #expect(TimeArgument.duration("") == nil)
    }

    @Test func timesAreAbsolute() {
        #expect(TimeArgument.parse("1970-01-01T00:00:00Z", now: now) == FlowTimestamp(seconds: 0))
        #expect(TimeArgument.parse("2024-02-29T12:00:00Z", now: now) == FlowTimestamp(seconds: 1_709_208_000))
        #expect(
            TimeArgument.parse("2024-02-29T14:00:00.25+02:00", now: now) == FlowTimestamp(seconds: 1_709_208_000, nanos: 250_000_000))
        #expect(TimeArgument.parse("2024-02-29T12:00:00Z", now: now) == FlowTimestamp(seconds: 1_709_208_000))
        // Without a zone: UTC, as hubble reads it.
        #expect(TimeArgument.parse("2024-02-29T12:00:00", now: now) == FlowTimestamp(seconds: 1_709_208_000))
        #expect(TimeArgument.parse("2024-13-01T00:00:00Z", now: now) == nil)
        #expect(TimeArgument.parse("yesterday", now: now) == nil)
    }
}
