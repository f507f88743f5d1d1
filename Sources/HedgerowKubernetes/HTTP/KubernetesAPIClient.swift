import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// GET requests to one API server, authenticated as its config says: list pages and watch
/// streams. Owns an `HTTPClient`; call `shutdown()` when done.
public final class KubernetesAPIClient: Sendable {
    public let config: KubernetesClusterConfig
    private let http: HTTPClient
    /// How long a LIST page may take.
    private let listTimeout: TimeAmount

    /// - Parameters:
    ///   - listTimeout: how long one LIST page may take.
    ///   - connectTimeout: how long connecting may take, TLS handshake included; the HTTP client
    ///     retries failed connection attempts within it.
    public init(
        config: KubernetesClusterConfig, listTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10)
    ) throws(KubernetesConfigError) {
        self.config = config
        self.listTimeout = Self.timeAmount(listTimeout)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try Self.tlsConfiguration(config), redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeAmount(connectTimeout)))
        configuration.httpVersion = .automatic
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// One LIST page: `?limit=N[&continue=TOKEN]`, without resourceVersion (a consistent read).
    func list(_ resource: KubernetesResource, limit: Int, continueToken: String?) async -> Result<ListPage, RequestFailure> {
        var query = [("limit", String(limit))]
        if let continueToken { query.append(("continue", continueToken)) }
        do {
            let response = try await http.execute(try request(resource.path, query), timeout: listTimeout)
            let body = try await response.body.collect(upTo: 512 << 20)
            let bytes = body.readableBytesView
            guard response.status == .ok else { return .failure(Self.failure(response.status, bytes)) }
            return .success(try WireDecoding.listPage(from: bytes, listKind: "\(resource.kind)List"))
        } catch let failure as RequestFailure {
            return .failure(failure)
        } catch {
            return .failure(.transport("\(error)"))
        }
    }

    /// Opens a WATCH from `resourceVersion` with bookmarks; returns the body to stream once the
    /// server answered 200.
    func watch(
        _ resource: KubernetesResource, resourceVersion: String, timeoutSeconds: Int
    ) async throws(RequestFailure) -> HTTPClientResponse.Body {
        let query = [
            ("watch", "true"), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", String(timeoutSeconds)),
        ]
        let response: HTTPClientResponse
        do {
            // The server ends the watch after timeoutSeconds; the deadline only catches a server that does not.
            response = try await http.execute(try request(resource.path, query), timeout: .seconds(Int64(timeoutSeconds) + 30))
        } catch let failure as RequestFailure {
            throw failure
        } catch {
            throw .transport("\(error)")
        }
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
            throw Self.failure(response.status, body)
        }
        return response.body
    }

    private func request(_ path: String, _ query: [(String, String)]) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: config.server + path + "?" + Self.encode(query))
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "hedgerow-agent")
        if let token = try bearerToken() { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    /// Read per request: a projected token file is rotated underneath us.
    private func bearerToken() throws(RequestFailure) -> String? {
        switch config.bearerToken {
        case nil: return nil
        case .value(let token): return token
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .transport("bearer token file \(path) cannot be read")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    private static func failure(_ status: HTTPResponseStatus, _ body: some Collection<UInt8>) -> RequestFailure {
        let apiStatus = (try? WireDecoding.value(from: body)).flatMap(APIStatus.init)
        return .status(Int(status.code), apiStatus)
    }

    /// Query strings with everything but unreserved characters percent-encoded (continue tokens
    /// are base64 and contain `=` and `+`).
    static func encode(_ query: [(String, String)]) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return query.map { key, value in
            key + "=" + (value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)
        }.joined(separator: "&")
    }

    private static func tlsConfiguration(_ config: KubernetesClusterConfig) throws(KubernetesConfigError)
        -> TLSConfiguration?
    {
        guard config.server.hasPrefix("https://") else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let authority = config.certificateAuthority {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(authority))
            }
        } catch {
            throw KubernetesConfigError(file: config.origin, field: "certificate-authority", message: "not PEM certificates: \(error)")
        }
        if config.insecureSkipTLSVerify { tls.certificateVerification = .none }
        if let client = config.clientCertificate {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(client.certificateChain).map { .certificate($0) }
            } catch {
                throw KubernetesConfigError(file: config.origin, field: "client-certificate", message: "not a PEM certificate: \(error)")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: client.privateKey, format: .pem))
            } catch {
                throw KubernetesConfigError(file: config.origin, field: "client-key", message: "not a PEM private key: \(error)")
            }
        }
        return tls
    }
}

extension RequestFailure: Error {}
