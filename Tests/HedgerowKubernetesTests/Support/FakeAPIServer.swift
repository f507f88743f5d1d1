import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A real HTTP/1.1 server on 127.0.0.1 (ephemeral port) that answers like the Kubernetes API
/// server from a script: JSON bodies with a status, or chunked watch streams that finish, are
/// cut (the connection closes without the last chunk), or stay open.
final class FakeAPIServer: Sendable {
    struct Request: Sendable {
        var path: String
        var query: [String: String]
        var headers: [String: String]
        /// The DER bytes of the client certificate, when TLS with client authentication was used.
        var clientCertificateDER: [UInt8]?

        var isWatch: Bool { query["watch"] == "true" || query["watch"] == "1" }
    }

    indirect enum Reply: Sendable {
        case json(status: Int = 200, String)
        case stream([String], ending: StreamEnding)
        /// Sends `reply` once `gate` opens.
        case after(Gate, Reply)
    }

    indirect enum StreamEnding: Sendable {
        case finish
        /// Once `gate` opens, send more chunks, then end as told. Lets a test cut a stream only
        /// after the client has consumed what came before (a cut may drop bytes still buffered).
        case more(after: Gate, [String], then: StreamEnding)
        /// Close the connection without ending the chunked body.
        case cut
        /// Keep the response open until the client or the server goes away.
        case hold
    }

    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    private let children: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    private let recorded: NIOLockedValueBox<[Request]>

    var requests: [Request] { recorded.withLockedValue { $0 } }

    init(tls: TLSConfiguration? = nil, handler: @escaping @Sendable (Request) async -> Reply) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let children = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let recorded = NIOLockedValueBox<[Request]>([])
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                children.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = children.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(record: { request in recorded.withLockedValue { $0.append(request) } }, handler: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.group = group
        self.serverChannel = channel
        self.children = children
        self.recorded = recorded
        self.port = channel.localAddress?.port ?? 0
    }

    func shutdown() async {
        try? await serverChannel.close()
        for child in children.withLockedValue({ Array($0.values) }) { try? await child.close() }
        try? await group.shutdownGracefully()
    }

    func requests(to path: String, watch: Bool) -> [Request] {
        requests.filter { $0.path == path && $0.isWatch == watch }
    }
}

/// Opens once; `wait` returns when it is open.
final class Gate: Sendable {
    private let state = NIOLockedValueBox<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLockedValue { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLockedValue { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

private final class RequestHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let record: @Sendable (FakeAPIServer.Request) -> Void
    private let handler: @Sendable (FakeAPIServer.Request) async -> FakeAPIServer.Reply
    private let head = NIOLockedValueBox<HTTPRequestHead?>(nil)

    init(
        record: @escaping @Sendable (FakeAPIServer.Request) -> Void,
        handler: @escaping @Sendable (FakeAPIServer.Request) async -> FakeAPIServer.Reply
    ) {
        self.record = record
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead): head.withLockedValue { $0 = requestHead }
        case .body: break
        case .end:
            guard let requestHead = head.withLockedValue({ $0 }) else { return }
            let channel = context.channel
            let certificate = Self.clientCertificate(channel)
            let request = Self.parse(requestHead, clientCertificateDER: certificate)
            record(request)
            let handler = self.handler
            Task {
                let reply = await handler(request)
                await Self.send(reply, on: channel)
            }
        }
    }

    /// Called on the channel's event loop (in channelRead), as the synchronous API requires.
    private static func clientCertificate(_ channel: any Channel) -> [UInt8]? {
        guard let certificate = try? channel.pipeline.syncOperations.nioSSL_peerCertificate() else { return nil }
        return try? certificate.toDERBytes()
    }

    private static func parse(_ head: HTTPRequestHead, clientCertificateDER: [UInt8]?) -> FakeAPIServer.Request {
        let parts = head.uri.split(separator: "?", maxSplits: 1)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                query[kv[0]] = kv.count == 2 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
            }
        }
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        return FakeAPIServer.Request(
            path: String(parts.first ?? ""), query: query, headers: headers,
            clientCertificateDER: clientCertificateDER)
    }

    private static func send(_ reply: FakeAPIServer.Reply, on channel: any Channel) async {
        switch reply {
        case .after(let gate, let next):
            await gate.wait()
            await send(next, on: channel)
        case .json(let status, let body):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil)
            try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        case .stream(let chunks, let ending):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Transfer-Encoding", value: "chunked")
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
            try? await channel.writeAndFlush(HTTPServerResponsePart.head(head))
            await sendChunks(chunks, ending: ending, on: channel)
        }
    }

    private static func sendChunks(_ chunks: [String], ending: FakeAPIServer.StreamEnding, on channel: any Channel) async {
        for chunk in chunks {
            try? await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: chunk))))
        }
        switch ending {
        case .finish: try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        case .cut: try? await channel.close()
        case .hold: break
        case .more(let gate, let chunks, let then):
            await gate.wait()
            await sendChunks(chunks, ending: then, on: channel)
        }
    }
}
