import ArgumentParser
import Foundation
import HedgerowAPI
import HedgerowCore

/// How to reach the Observer API: the agent's unix socket by default, `HFLOW_SERVER`, or
/// `--server`, with TLS for TCP servers.
struct ServerOptions: ParsableArguments {
    static let defaultServer = "unix:///run/hedgerow/agent.sock"

    @Option(help: "Observer API address: unix:///path, /path or host:port (default: $HFLOW_SERVER or \(defaultServer)).")
    var server: String?

    @Flag(help: "Use TLS to connect to a TCP server.")
    var tls = false

    @Option(name: .customLong("tls-ca-cert-files"), help: "PEM files of the CAs that sign the server certificate.")
    var tlsCACertFiles: [String] = []

    @Option(name: .customLong("tls-client-cert-file"), help: "PEM client certificate, for servers that require one.")
    var tlsClientCertFile: String?

    @Option(name: .customLong("tls-client-key-file"), help: "PEM key of the client certificate.")
    var tlsClientKeyFile: String?

    @Option(name: .customLong("tls-server-name"), help: "The name the server certificate must carry, when it is not the --server host.")
    var tlsServerName: String?

    @Flag(name: .customLong("tls-allow-insecure"), help: "Do not verify the server certificate (testing only).")
    var tlsAllowInsecure = false

    @Option(help: "How long to wait for the server to start answering (hubble's dialing timeout).")
    var timeout = "5s"

    @Option(name: .customLong("request-timeout"), help: "Deadline of requests that are not streams, such as status.")
    var requestTimeout = "12s"

    /// The deadline for a stream to start (`--timeout`) or a request to finish (`--request-timeout`).
    func deadline(for target: ObserverTarget, stream: Bool) throws -> AnswerDeadline {
        let (name, text) = stream ? ("--timeout", timeout) : ("--request-timeout", requestTimeout)
        guard let nanoseconds = TimeArgument.duration(text), nanoseconds > 0 else {
            throw UsageError("invalid \(name) value \"\(text)\": a positive duration such as 5s or 500ms")
        }
        return AnswerDeadline(timeout: .nanoseconds(nanoseconds), target: target, option: "\(name) \(text)")
    }

    func target(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ObserverTarget {
        let text = server ?? environment["HFLOW_SERVER"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultServer
        do {
            return try ObserverTarget(parsing: text)
        } catch {
            throw UsageError(error.description)
        }
    }

    func tlsOptions() throws -> ObserverTLSOptions? {
        guard tls || !tlsCACertFiles.isEmpty || tlsClientCertFile != nil || tlsServerName != nil || tlsAllowInsecure
        else { return nil }
        guard (tlsClientCertFile == nil) == (tlsClientKeyFile == nil) else {
            throw UsageError("--tls-client-cert-file and --tls-client-key-file go together")
        }
        return ObserverTLSOptions(
            caCertificateFiles: tlsCACertFiles, clientCertificateFile: tlsClientCertFile,
            clientKeyFile: tlsClientKeyFile, serverName: tlsServerName, allowInsecure: tlsAllowInsecure)
    }
}
