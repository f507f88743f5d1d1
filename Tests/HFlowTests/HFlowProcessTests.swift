import Foundation
import HedgerowTestSupport
import GRPCCore
import GRPCNIOTransportHTTP2
import HedgerowAPI
import SwiftProtobuf
import Testing

/// `hflow` as a user runs it: the built binary against an Observer server on a unix socket.
@Suite(.serialized) struct HFlowProcessTests {
    /// A stand-in Observer server: `flowCount` stored flows, then, when following, one new flow
    /// every 10 ms until the client goes away. Records the requests it got.
    struct FakeObserver: Observer_Observer.SimpleServiceProtocol {
        let flowCount: Int
        /// How long a follow stays quiet before its first new flow.
        var followDelay: Duration = .zero
        let requests = RequestLog()

        func getFlows(request: Observer_GetFlowsRequest, response: RPCWriter<Observer_GetFlowsResponse>, context: ServerContext) async throws {
            requests.append(request)
            let count = min(Int(min(request.number, UInt64(Int.max))), flowCount)
            try await response.write(contentsOf: (0..<(request.follow && request.number == 0 ? 0 : count)).map { Self.flow($0) })
            guard request.follow else { return }
            try await Task.sleep(for: followDelay)
            var number = count
            while !Task.isCancelled {
                try await response.write(Self.flow(number))
                number += 1
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        func getNodes(request: Observer_GetNodesRequest, context: ServerContext) async throws -> Observer_GetNodesResponse {
            Observer_GetNodesResponse()
        }

        func serverStatus(request: Observer_ServerStatusRequest, context: ServerContext) async throws -> Observer_ServerStatusResponse {
            .with {
                $0.numFlows = 10
                $0.maxFlows = 4095
                $0.seenFlows = 10
                $0.uptimeNs = 61_000_000_000
            }
        }

        static func flow(_ number: Int) -> Observer_GetFlowsResponse {
            SampleResponses.tcp(seconds: 1_732_655_045 + Int64(number), nanos: 0)
        }
    }

    final class RequestLog: @unchecked Sendable {
        private let lock = NSLock()
        private var requests: [Observer_GetFlowsRequest] = []
        func append(_ request: Observer_GetFlowsRequest) { lock.withLock { requests.append(request) } }
        var all: [Observer_GetFlowsRequest] { lock.withLock { requests } }
    }

    static var hflow: String {
        if let directory = ProcessInfo.processInfo.environment["HEDGEROW_BIN_DIR"] { return directory + "/hflow" }
        // The test bundle sits next to the executables in the build directory.
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hflow").path
    }

    static func withServer<T: Sendable>(_ service: FakeObserver, _ body: @Sendable (String) async throws -> T) async throws -> T {
        let path = NSTemporaryDirectory() + "hflow-\(getpid())-\(UInt32.random(in: 0 ... .max)).sock"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .unixDomainSocket(path: path), transportSecurity: .plaintext), services: [service])
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.serve()
                return nil
            }
            _ = try await server.listeningAddress
            let result = try await body(path)
            server.beginGracefulShutdown()
            group.cancelAll()
            return result
        }
    }

    /// Runs hflow to completion; returns status, stdout and stderr.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hflow)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func observePrintsCompactLinesAndSendsTheFilters() async throws {
        let service = FakeObserver(flowCount: 50)
        let (status, output, _) = try await Self.withServer(service) { path in
            try await blocking {
                try Self.run(["observe", "--last", "2", "--to-port", "80", "--not", "--verdict", "DROPPED"], environment: ["HFLOW_SERVER": path])
            }
        }
        #expect(status == 0)
        #expect(output == """
            Nov 26 21:04:05.000: x/a:43210 (ID:256) -> y/b:80 (ID:257) to-endpoint FORWARDED (TCP Flags: SYN)
            Nov 26 21:04:06.000: x/a:43210 (ID:256) -> y/b:80 (ID:257) to-endpoint FORWARDED (TCP Flags: SYN)

            """)
        let request = try #require(service.requests.all.first)
        #expect(request.number == 2 && !request.follow)
        #expect(request.whitelist == [.with { $0.destinationPort = ["80"] }])
        #expect(request.blacklist == [.with { $0.verdict = [.dropped] }])
    }

    @Test func jsonOutputIsOneObjectPerLine() async throws {
        let (status, output, _) = try await Self.withServer(FakeObserver(flowCount: 3)) { path in
            try await blocking { try Self.run(["observe", "-o", "json", "--server", "unix://" + path]) }
        }
        #expect(status == 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 3)
        let decoded = try Observer_GetFlowsResponse(jsonString: String(lines[0]))
        #expect(decoded == FakeObserver.flow(0))
    }

    @Test func aClosedPipeEndsQuietlyWithStatusZero() async throws {
        let status = try await Self.withServer(FakeObserver(flowCount: 100_000)) { path -> Int32 in try await blocking {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.hflow)
            process.arguments = ["observe", "--all", "--server", path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Like `| head -1`: read a little, then close the reading end.
            _ = output.fileHandleForReading.readData(ofLength: 100)
            try output.fileHandleForReading.close()
            process.waitUntilExit()
            return process.terminationStatus
        } }
        #expect(status == 0)
    }

    /// Runs `hflow observe -f` plus `arguments` against `service` until its first line, then
    /// presses Ctrl-C: (exit status, whether it exited rather than died, the first line).
    static func followUntilFirstLine(_ service: FakeObserver, _ arguments: [String] = []) async throws -> (Int32, Bool, String) {
        try await withServer(service) { path in try await blocking {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: hflow)
            process.arguments = ["observe", "-f", "--server", path] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var received = Data()
            while !received.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                received.append(chunk)
            }
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            return (process.terminationStatus, process.terminationReason == .exit, String(decoding: received, as: UTF8.self))
        } }
    }

    @Test func ctrlCStopsAFollowWithStatusZero() async throws {
        let (status, exited, firstLine) = try await Self.followUntilFirstLine(FakeObserver(flowCount: 5))
        #expect(exited && status == 0)
        #expect(firstLine.hasPrefix("Nov 26 21:04:05.000: x/a:43210"))
    }

    @Test func statusAndUsageErrors() async throws {
        let (status, output, _) = try await Self.withServer(FakeObserver(flowCount: 0)) { path in
            try await blocking { try Self.run(["status", "--server", path]) }
        }
        #expect(status == 0)
        #expect(output.contains("Current/Max Flows: 10/4,095 (0.24%)") && output.contains("Uptime: 1m1s"))

        let (badVerdict, _, message) = try Self.run(["observe", "--verdict", "FOO"])
        #expect(badVerdict == 2)
        #expect(message.contains("invalid --verdict value \"FOO\""))
        let (badFlag, _, _) = try Self.run(["observe", "--no-such-flag"])
        #expect(badFlag == 2)
        let (unreachable, _, why) = try Self.run(["observe", "--server", "/nonexistent/hflow.sock"])
        #expect(unreachable == 1 && why.contains("cannot reach the Observer API"))
    }

    /// A TCP listener that completes handshakes and never speaks: what a stuck agent looks like.
    final class SilentListener {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(descriptor, pointer, length) == 0 && listen(descriptor, 8) == 0
                        && getsockname(descriptor, pointer, &length) == 0
                }
            }
            guard bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(descriptor) }
    }

    @Test func aServerThatNeverAnswersFailsAtTheDeadline() async throws {
        let listener = try SilentListener()
        let server = "127.0.0.1:\(listener.port)"
        let (observe, _, why) = try await blocking { try Self.run(["observe", "--server", server, "--timeout", "300ms"]) }
        #expect(observe == 1 && why.contains("no answer from the Observer API at") && why.contains("--timeout 300ms"))
        let (status, _, statusWhy) = try await blocking { try Self.run(["status", "--server", server, "--request-timeout", "300ms"]) }
        #expect(status == 1 && statusWhy.contains("--request-timeout 300ms"))
        let (bad, _, badWhy) = try Self.run(["observe", "--timeout", "soon"])
        #expect(bad == 2 && badWhy.contains("invalid --timeout value \"soon\""))
    }

    @Test func aQuietFollowIsNotAMissingAnswer() async throws {
        // The stream has started: no flows for longer than --timeout is an idle node, not a dead one.
        let quiet = FakeObserver(flowCount: 0, followDelay: .milliseconds(900))
        let (status, exited, line) = try await Self.followUntilFirstLine(quiet, ["--timeout", "200ms"])
        #expect(exited && status == 0)
        #expect(line.hasPrefix("Nov 26 21:04:05.000: x/a:43210"))
    }
}
