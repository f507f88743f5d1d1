import GRPCCore
import GRPCNIOTransportHTTP2

/// The optional TCP listener for the Observer API (`--observer-listen :4244`), with TLS as
/// Hubble serves Relay: a server certificate and key, and, when client CA files are given,
/// client certificates required and verified against them (mutual TLS). Plaintext must be asked
/// for explicitly.
public struct ObserverListenConfiguration: Sendable, Hashable {
    public enum Security: Sendable, Hashable {
        case plaintext
        case tls(certificateFile: String, keyFile: String, clientCAFiles: [String])
    }

    public var host: String
    public var port: Int
    public var security: Security

    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }

    /// Parses `host:port`, `:port` (all addresses) or `[v6]:port`.
    public init(listen text: String, security: Security) throws(ObserverListenError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { throw ObserverListenError.invalidAddress(text) }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port, security: security)
    }

    var transportSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        switch security {
        case .plaintext:
            return .plaintext
        case .tls(let certificateFile, let keyFile, let clientCAFiles):
            let chain: [TLSConfig.CertificateSource] = [.file(path: certificateFile, format: .pem)]
            let key = TLSConfig.PrivateKeySource.file(path: keyFile, format: .pem)
            guard !clientCAFiles.isEmpty else { return .tls(certificateChain: chain, privateKey: key) }
            return .mTLS(certificateChain: chain, privateKey: key) {
                $0.trustRoots = .certificates(clientCAFiles.map { .file(path: $0, format: .pem) })
                $0.clientCertificateVerification = .noHostnameVerification
            }
        }
    }

    /// A server for `service` on this address; run it with `serve()`.
    public func makeServer(service: ObserverService) -> GRPCServer<HTTP2ServerTransport.Posix> {
        GRPCServer(
            transport: .http2NIOPosix(
                address: host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port),
                transportSecurity: transportSecurity),
            services: [service])
    }
}

public enum ObserverListenError: Error, Hashable, CustomStringConvertible {
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .invalidAddress(let text): "invalid observer listen address \"\(text)\": expected host:port or :port"
        }
    }
}
