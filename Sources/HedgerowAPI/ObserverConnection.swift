import Glibc
import GRPCCore
import GRPCNIOTransportHTTP2

/// The generated Observer API client, under a name that reads well at call sites.
public typealias ObserverClient = Observer_Observer.Client<HTTP2ClientTransport.Posix>

/// Where an Observer API server listens: the agent's unix socket (the default) or host:port.
public enum ObserverTarget: Sendable, Hashable, CustomStringConvertible {
    case unixSocket(path: String)
    case tcp(host: String, port: Int)

    /// Accepts `unix:///path`, `unix:path`, `/path`, `host:port`, `[v6]:port` and
    /// `tcp://host:port` (Hubble's `--server` forms).
    public init(parsing text: String) throws(ObserverTargetError) {
        if text.hasPrefix("unix://") {
            self = .unixSocket(path: String(text.dropFirst("unix://".count)))
        } else if text.hasPrefix("unix:") {
            self = .unixSocket(path: String(text.dropFirst("unix:".count)))
        } else if text.hasPrefix("/") {
            self = .unixSocket(path: text)
        } else {
            let address = text.hasPrefix("tcp://") ? String(text.dropFirst("tcp://".count)) : text
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                (1...65535).contains(port)
            else { throw ObserverTargetError(text: text) }
            var host = String(address[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw ObserverTargetError(text: text) }
            self = .tcp(host: host, port: port)
        }
        if case .unixSocket(let path) = self, path.isEmpty { throw ObserverTargetError(text: text) }
    }

    public var description: String {
        switch self {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// IP literals are dialled as addresses, not names: a DNS target makes its host the TLS
    /// server name, and NIOSSL refuses an IP address as SNI (RFC 6066) before any byte is sent,
    /// so every TLS connection to `127.0.0.1:4244` failed. Without a name, the server
    /// certificate is checked against the address (its IP subjectAltName).
    var resolvableTarget: any ResolvableTarget {
        switch self {
        case .unixSocket(let path): .unixDomainSocket(path: path)
        case .tcp(let host, let port) where IPAddressLiteral.isIPv4(host): .ipv4(address: host, port: port)
        case .tcp(let host, let port) where IPAddressLiteral.isIPv6(host): .ipv6(address: host, port: port)
        case .tcp(let host, let port): .dns(host: host, port: port)
        }
    }
}

/// Whether a host string is an IP address literal (inet_pton's view, as NIOSSL checks SNI).
enum IPAddressLiteral {
    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}

public struct ObserverTargetError: Error, Hashable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "invalid server address \"\(text)\": expected unix:///path/to/socket, /path/to/socket or host:port"
    }
}

/// Client-side TLS for TCP targets, as `hubble --tls` takes it.
public struct ObserverTLSOptions: Sendable, Hashable {
    /// PEM files with the CAs that sign the server certificate (system roots when empty).
    public var caCertificateFiles: [String]
    /// Client certificate and key, for servers that require them.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// The name the server certificate must carry (`--tls-server-name`), when it differs from
    /// the host dialled; it is also sent as SNI. Nil: the host name, or the address for an IP.
    public var serverName: String?
    /// Skip verifying the server certificate (testing only).
    public var allowInsecure: Bool

    public init(
        caCertificateFiles: [String] = [], clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
        serverName: String? = nil, allowInsecure: Bool = false
    ) {
        self.caCertificateFiles = caCertificateFiles
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.serverName = serverName
        self.allowInsecure = allowInsecure
    }

    var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        .tls {
            if !caCertificateFiles.isEmpty {
                $0.trustRoots = .certificates(caCertificateFiles.map { .file(path: $0, format: .pem) })
            }
            if let certificate = clientCertificateFile, let key = clientKeyFile {
                $0.certificateChain = [.file(path: certificate, format: .pem)]
                $0.privateKey = .file(path: key, format: .pem)
            }
            if allowInsecure { $0.serverCertificateVerification = .noVerification }
        }
    }
}

/// Opens a connection to an Observer API server, runs `body`, and closes it. Connection
/// failures become `ObserverUnreachable`, which names the server.
public func withObserver<Result: Sendable>(
    _ target: ObserverTarget, tls: ObserverTLSOptions? = nil, _ body: (ObserverClient) async throws -> Result
) async throws -> Result {
    let transport = try HTTP2ClientTransport.Posix(
        target: target.resolvableTarget,
        transportSecurity: tls?.transportSecurity ?? .plaintext,
        config: .defaults {
            $0.backoff.initial = .milliseconds(50)
            // The :authority and SNI; the transport verifies the server certificate against it.
            if let serverName = tls?.serverName { $0.http2.authority = serverName }
        }
    )
    do {
        return try await withGRPCClient(transport: transport) { client in
            try await body(Observer_Observer.Client(wrapping: client))
        }
    } catch let error as RPCError where error.code == .unavailable {
        throw ObserverUnreachable(target: target, detail: error.message)
    }
}

public struct ObserverUnreachable: Error, CustomStringConvertible {
    public let target: ObserverTarget
    public let detail: String
    public var description: String {
        "cannot reach the Observer API at \(target) (\(detail)); is the agent running, and is --server right?"
    }
}
