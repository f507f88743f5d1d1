import Testing

@testable import HedgerowCore

@Suite struct GoTimeSyntaxTests {
    let now = FlowTimestamp(seconds: 1_800_000_000)

    @Test func goDurationsCountBackFromNow() {
        #expect(GoTimeSyntax.parse("2h", now: now) == FlowTimestamp(seconds: 1_800_000_000 - 7200))
        #expect(GoTimeSyntax.parse("1h30m", now: now) == FlowTimestamp(seconds: 1_800_000_000 - 5400))
        #expect(GoTimeSyntax.goDuration("1.5s") == 1_500_000_000)
        #expect(GoTimeSyntax.goDuration("250ms") == 250_000_000)
        #expect(GoTimeSyntax.goDuration("2") == nil)
        #expect(GoTimeSyntax.goDuration("2d") == nil)
        #expect(GoTimeSyntax.goDuration("") == nil)
    }

    @Test func rfc3339TimesAreAbsolute() {
        #expect(GoTimeSyntax.rfc3339("1970-01-01T00:00:00Z") == FlowTimestamp(seconds: 0))
        #expect(GoTimeSyntax.rfc3339("2024-02-29T12:00:00Z") == FlowTimestamp(seconds: 1_709_208_000))
        #expect(
            GoTimeSyntax.rfc3339("2024-02-29T14:00:00.25+02:00") == FlowTimestamp(seconds: 1_709_208_000, nanos: 250_000_000))
        #expect(GoTimeSyntax.parse("2024-02-29T12:00:00Z", now: now) == FlowTimestamp(seconds: 1_709_208_000))
        #expect(GoTimeSyntax.rfc3339("2024-02-29T12:00:00") == nil)
        #expect(GoTimeSyntax.rfc3339("2024-13-01T00:00:00Z") == nil)
        #expect(GoTimeSyntax.rfc3339("yesterday") == nil)
    }
}
