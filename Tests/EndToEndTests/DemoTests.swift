import Foundation
import HedgerowTestSupport
import Testing

/// `make demo`'s script, run end to end: it must show both verdicts and clean up after itself.
@Suite struct DemoTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func demoShowsForwardedAndDroppedFlowsAndLeavesNothing() throws {
        try Privileged.require()
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/demo.sh").path
        var environment = ProcessInfo.processInfo.environment
        environment["HEDGEROW_BIN_DIR"] = TestPaths.binaries.path
        environment["HEDGEROW_BPF_DIR"] = TestPaths.bpfObjects.path
        let result = try Shell.capture(["bash", script], environment: environment)
        #expect(result.status == 0, "demo failed: \(result.stderr)")
        #expect(result.stdout.contains("to-endpoint FORWARDED"))
        #expect(result.stdout.contains("Policy denied DROPPED"))
        #expect(result.stdout.contains("ingress at x/b: default deny: selected by NetworkPolicy x/b-from-a"))
        // The service reached through its VIP, and listed with its backend.
        #expect(result.stdout.contains("x/web") && result.stdout.contains("10.96.0.10:80/TCP"))
        // The demo names its lab "demo<pid>"; nothing of it may remain.
        let lab = try #require(result.stdout.firstMatch(of: /Bringing up lab (demo[0-9]+)/)?.output.1)
        #expect(!(try Shell.run("ip", "netns", "list")).contains("hl-\(lab)-"))
    }
}
