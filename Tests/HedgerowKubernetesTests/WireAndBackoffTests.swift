import Testing

@testable import HedgerowKubernetes

@Suite struct WireAndBackoffTests {
    @Test func framingJoinsEventsSplitAcrossChunksAndKeepsAnIncompleteTail() {
        var framing = WatchStreamFraming()
        #expect(framing.append(Array(#"{"type":"ADDED","obj"#.utf8)).isEmpty)
        let lines = framing.append(Array("ect\":{}}\n\n{\"type\":\"DELETED\",\"object\":{}}\n{\"type\":".utf8))
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == [
            #"{"type":"ADDED","object":{}}"#, #"{"type":"DELETED","object":{}}"#,
        ])
        #expect(String(decoding: framing.incompleteEvent, as: UTF8.self) == #"{"type":"#)
    }

    @Test func watchEventsAndListsDecodeAsTheServerSendsThem() throws {
        let event = try WireDecoding.watchEvent(from: Array(APIResponses.expiredEvent(requested: "1", current: "9").utf8))
        #expect(event.kind == .error)
        let status = try #require(APIStatus(event.object))
        #expect(status.code == 410 && status.reason == "Expired" && status.isGone)

        let page = try WireDecoding.listPage(
            from: Array(#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"abc"},"items":null}"#.utf8),
            listKind: "PodList")
        #expect(page.resourceVersion == "42" && page.continueToken == "abc" && page.items.isEmpty)
        #expect(throws: WireFormatError.self) {
            try WireDecoding.watchEvent(from: Array(#"{"type":"RENAMED","object":{}}"#.utf8))
        }
    }

    @Test func continueTokensArePercentEncoded() {
        #expect(KubernetesAPIClient.encode([("continue", "eyJ2Ijo+/=="), ("limit", "5")]) == "continue=eyJ2Ijo%2B%2F%3D%3D&limit=5")
    }

    @Test func backoffGrowsToItsMaximumWithJitterWithinBounds() {
        let policy = BackoffPolicy(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.5)
        #expect((1...6).map(policy.baseDelay(attempt:)) == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
        ])
        var generator = SystemRandomNumberGenerator()
        var seen = Set<Duration>()
        for _ in 0..<200 {
            let delay = policy.delay(attempt: 3, using: &generator)
            #expect(delay >= .milliseconds(400) && delay < .milliseconds(600))
            seen.insert(delay)
        }
        #expect(seen.count > 1, "jitter varies the delay")
    }
}
