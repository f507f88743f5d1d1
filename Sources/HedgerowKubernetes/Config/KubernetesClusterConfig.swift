/// How to reach and authenticate to an API server: what in-cluster config or a kubeconfig
/// resolves to. Certificates and keys are PEM bytes, already read from their files.
public struct KubernetesClusterConfig: Hashable, Sendable {
    /// `https://host:port` (or `http://` for a local proxy), without a trailing slash.
    public var server: String
    /// PEM certificates to trust for the server; nil trusts the system's roots.
    public var certificateAuthority: [UInt8]?
    /// Accept any server certificate (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    public var bearerToken: BearerToken?
    public var clientCertificate: ClientCertificate?
    /// The namespace of the context or service account (informational: Hedgerow watches all).
    public var namespace: String?
    /// Where this came from, for messages: `in-cluster`, `/root/.kube/config (context default)`.
    public var origin: String

    public init(
        server: String, certificateAuthority: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false,
        bearerToken: BearerToken? = nil, clientCertificate: ClientCertificate? = nil, namespace: String? = nil,
        origin: String
    ) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.bearerToken = bearerToken
        self.clientCertificate = clientCertificate
        self.namespace = namespace
        self.origin = origin
    }
}

/// A bearer token, given inline or read from a file. Projected service-account tokens are
/// rotated by the kubelet, so a file is read again before each request rather than once.
public enum BearerToken: Hashable, Sendable {
    case value(String)
    case file(String)
}

/// A client certificate (chain) and its private key, both PEM.
public struct ClientCertificate: Hashable, Sendable {
    public var certificateChain: [UInt8]
    public var privateKey: [UInt8]

    public init(certificateChain: [UInt8], privateKey: [UInt8]) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}

/// A configuration that cannot be used, naming the file and the field:
///
///     /root/.kube/config: users[name="admin"].user.client-key: file /root/.kube/admin.key cannot be read: ...
public struct KubernetesConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kubeconfig, the service-account directory's file, or `environment`.
    public var file: String
    public var field: String?
    public var message: String

    public init(file: String, field: String? = nil, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String { "\(file): " + (field.map { "\($0): " } ?? "") + message }
}
