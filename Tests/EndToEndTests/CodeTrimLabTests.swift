import Foundation
import HedgerowAPI
import HedgerowTestSupport
import Testing

/// The running agent returns its code pages to the kernel (`--code-trim-interval`) and goes on
/// working: its endpoints answer, new pods are still wired up, traffic still flows.
@Suite(.serialized) struct CodeTrimLabTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func theAgentTrimsItsCodePagesAndKeepsWorking() throws {
        let lab = try LabHarness(prefix: "e2ct")
        defer { lab.down() }
        try lab.restartAgent(with: ["--code-trim-interval", "1s"])

        let trimmed = try LabHarness.eventually(timeout: .seconds(20), "a code trim") { () -> Hedgerow_Agent_V1_StatusResponse? in
            let status = try lab.status()
            return status.codeTrims >= 1 ? status : nil
        }
        #expect(trimmed.fileBackedMemoryBytes > 0 && trimmed.fileBackedMemoryBytes < trimmed.residentMemoryBytes)
        #expect(try lab.hagent(["status"]).contains("code pages trimmed"))

        // After the trim: a new pod gets its endpoint, and pods reach each other.
        try LabHarness.hlab(["add-pod", "--lab", lab.name, "x/c"])
        let server = try LabHarness.eventually("4 endpoints") { () -> Hedgerow_Agent_V1_Endpoint? in
            let list = try lab.endpoints()
            return list.count == 4 ? list.first { $0.podName == "b" } : nil
        }
        let echo = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80"])
        defer { echo.terminate(); echo.waitUntilExit() }
        try LabHarness.eventually("x/c -> x/b:80") {
            try lab.execStatus("x/c", [TestPaths.binary("hlab"), "probe", "\(server.ips[0]):80", "--timeout", "1s"]) == 0 ? true : nil
        }
    }
}
