import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Prometheus
import Synchronization
import Testing

@testable import HedgerowAgent

@Suite struct MetricsServerTests {
    @Test func servesMetricsHealthAndNotFoundOverHTTP() async throws {
        let registry = PrometheusCollectorRegistry()
        let agent = AgentMetrics(registry: registry)
        agent.setEndpoints(3)
        agent.setMapFill(map: "hedgerow_policy", entries: 12, capacity: 16384)
        agent.recordPolicySync(.milliseconds(3))
        let ready = Atomic<Bool>(false)
        let port = try await withRunningServer(registry: registry, isReady: { ready.load(ordering: .relaxed) }) { port in
            let metrics = try HTTPTestClient.get("/metrics", port: port)
            #expect(metrics.status == 200)
            #expect(metrics.headers.contains("content-type: text/plain; version=0.0.4; charset=utf-8"))
            #expect(metrics.body.contains("\nhedgerow_endpoints 3.0\n"))
            #expect(metrics.body.contains(#"hedgerow_bpf_map_capacity{map="hedgerow_policy"} 16384"#))
            #expect(metrics.body.contains(#"hedgerow_policy_sync_duration_seconds_bucket{le="0.005"} 1"#))
            #expect(metrics.body.contains("hedgerow_policy_sync_duration_seconds_count 1"))

            let notReady = try HTTPTestClient.get("/healthz", port: port)
            #expect(notReady.status == 503)
            ready.store(true, ordering: .relaxed)
            let healthy = try HTTPTestClient.get("/healthz", port: port)
            #expect(healthy.status == 200)
            #expect(healthy.body == "ok\n")

            #expect(try HTTPTestClient.get("/nope", port: port).status == 404)
            #expect(try HTTPTestClient.get("/metrics", method: "POST", port: port).status == 404)

            let second = MetricsServer(host: "127.0.0.1", port: port, registry: registry, isReady: { true })
            let error = await #expect(throws: MetricsServerError.self) { try await second.run() }
            #expect(error?.description.contains("127.0.0.1:\(port)") == true)
        }
        // Cancelled, the server has closed its listening socket.
        #expect(throws: HTTPTestClient.Failure.self) { try HTTPTestClient.get("/healthz", port: port) }
    }

    @Test func parsesListenAddresses() throws {
        #expect(try MetricsListenAddress.parse("127.0.0.1:9962") == ("127.0.0.1", 9962))
        #expect(try MetricsListenAddress.parse(":9962") == ("0.0.0.0", 9962))
        #expect(try MetricsListenAddress.parse("[::1]:9100") == ("::1", 9100))
        #expect(throws: MetricsListenError.self) { try MetricsListenAddress.parse("localhost") }
        #expect(throws: MetricsListenError.self) { try MetricsListenAddress.parse("1.2.3.4:70000") }
    }

    /// Runs the server on an ephemeral loopback port for `body`, then cancels it and waits for it
    /// to stop; returns the port it used.
    private func withRunningServer(
        registry: PrometheusCollectorRegistry, isReady: @escaping @Sendable () -> Bool,
        _ body: @Sendable (Int) async throws -> Void
    ) async throws -> Int {
        let server = MetricsServer(host: "127.0.0.1", port: 0, registry: registry, isReady: isReady)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run(onBound: { continuation.yield($0) }) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body(port)
            group.cancelAll()
            try await group.waitForAll()
            return port
        }
    }
}

/// A blocking HTTP/1.1 client over a plain socket: enough to check what the server sends.
enum HTTPTestClient {
    struct Response {
        var status: Int
        /// Lower-cased "name: value" lines.
        var headers: [String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func get(_ path: String, method: String = "GET", port: Int) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect 127.0.0.1:\(port): errno \(errno)") }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { throw Failure(description: "send failed") }
        // The server closes the connection after its response: read to end of stream.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        return try parse(String(decoding: received, as: UTF8.self))
    }

    private static func parse(_ text: String) throws -> Response {
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "no header end in \(text)") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line \(lines[0])")
        }
        return Response(
            status: status, headers: lines.dropFirst().map { $0.lowercased() },
            body: String(text[split.upperBound...]))
    }
}
