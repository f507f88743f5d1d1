import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves GET /metrics (Prometheus text format 0.0.4) and GET /healthz (200 "ok" while
/// `isReady()` holds, 503 otherwise) over HTTP/1.1; anything else is 404. One response per
/// connection: scrapes are seconds apart, so keep-alive would buy nothing.
public struct MetricsServer: Sendable {
    public let host: String
    public let port: Int
    private let registry: PrometheusCollectorRegistry
    private let isReady: @Sendable () -> Bool

    public init(
        host: String = "127.0.0.1", port: Int = 9962, registry: PrometheusCollectorRegistry,
        isReady: @escaping @Sendable () -> Bool
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.isReady = isReady
    }

    /// "HOST:PORT" as given to --metrics-listen ("127.0.0.1:9962", "[::1]:9962", ":9962").
    public init(
        listen: String, registry: PrometheusCollectorRegistry, isReady: @escaping @Sendable () -> Bool
    ) throws(MetricsListenError) {
        let (host, port) = try MetricsListenAddress.parse(listen)
        self.init(host: host, port: port, registry: registry, isReady: isReady)
    }

    /// Listens until the task is cancelled, then closes the listening socket. `onBound` gets the
    /// bound port (useful with port 0).
    public func run(onBound: @Sendable (Int) -> Void = { _ in }) async throws {
        let registry = registry
        let isReady = isReady
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        MetricsHTTPHandler(registry: registry, isReady: isReady))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw MetricsServerError(host: host, port: port, underlying: error)
        }
        onBound(channel.localAddress?.port ?? port)
        try await withTaskCancellationHandler {
            try await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}

public struct MetricsServerError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let underlying: any Error
    public var description: String { "metrics server: cannot listen on \(host):\(port): \(underlying)" }
}

public struct MetricsListenError: Error, CustomStringConvertible {
    public let value: String
    public var description: String { "--metrics-listen \"\(value)\": expected HOST:PORT, e.g. 127.0.0.1:9962" }
}

enum MetricsListenAddress {
    /// An empty host means all IPv4 interfaces, as Go's ":9962" does.
    static func parse(_ text: String) throws(MetricsListenError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw MetricsListenError(value: text) }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// Answers one request per connection and closes it.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let isReady: @Sendable () -> Bool
    private var request: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, isReady: @escaping @Sendable () -> Bool) {
        self.registry = registry
        self.isReady = isReady
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(context: context, to: head)
        }
    }

    private func respond(context: ChannelHandlerContext, to head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let response: (status: HTTPResponseStatus, contentType: String, body: [UInt8])
        switch (head.method, path) {
        case (.GET, "/metrics"):
            response = (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.emitToBuffer())
        case (.GET, "/healthz"):
            response = isReady()
                ? (.ok, "text/plain; charset=utf-8", Array("ok\n".utf8))
                : (.serviceUnavailable, "text/plain; charset=utf-8", Array("not ready\n".utf8))
        default:
            response = (.notFound, "text/plain; charset=utf-8", Array("not found\n".utf8))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: "close")
        let responseHead = HTTPResponseHead(version: head.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        let body = context.channel.allocator.buffer(bytes: response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
