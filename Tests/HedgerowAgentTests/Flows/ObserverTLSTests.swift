import Foundation
import GRPCCore
import HedgerowAPI
import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowAgent

/// The TCP listener with mutual TLS, as Hubble serves Relay: a client whose certificate chains
/// to the configured CA gets flows (in process and through `hflow --tls`); a client without a
/// certificate, or with one from another CA, is refused.
///
/// The test once failed for the trusted client: the client dialled `127.0.0.1` as a DNS name, so
/// the transport made the address the TLS server name and NIOSSL refused it as SNI before the
/// handshake (see ObserverTarget.resolvableTarget). The certificates were not at fault.
@Suite struct ObserverTLSTests {
    /// Certificates made with openssl, with the extensions a verifier checks spelled out: a CA
    /// (basicConstraints CA:TRUE, keyCertSign), a server certificate for 127.0.0.1, one for the
    /// name observer.hedgerow.test only (NIOSSL accepts a certificate whose IP address matches
    /// the peer whatever name was asked for, so name checks need a certificate without one),
    /// a client certificate (clientAuth), and a client certificate from a second, unconfigured CA.
    struct Certificates {
        static let serverName = "observer.hedgerow.test"
        let directory: String
        var ca: String { directory + "/ca.crt" }
        func serverCertificate(named: Bool) -> String { directory + (named ? "/named-server.crt" : "/server.crt") }
        func serverKey(named: Bool) -> String { directory + (named ? "/named-server.key" : "/server.key") }
        var clientCertificate: String { directory + "/client.crt" }
        var clientKey: String { directory + "/client.key" }
        var strangerCertificate: String { directory + "/stranger.crt" }
        var strangerKey: String { directory + "/stranger.key" }

        init() throws {
            directory = NSTemporaryDirectory() + UniqueName.make("htls")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for authority in ["ca", "other-ca"] {
                try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                                  "-subj", "/CN=hedgerow-test-\(authority)", "-addext", "basicConstraints=critical,CA:TRUE",
                                  "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                                  "-keyout", "\(directory)/\(authority).key", "-out", "\(directory)/\(authority).crt"])
            }
            let leaves = [
                ("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
                ("named-server", "ca", "subjectAltName=DNS:\(Self.serverName)\nextendedKeyUsage=serverAuth"),
                ("client", "ca", "extendedKeyUsage=clientAuth"),
                ("stranger", "other-ca", "extendedKeyUsage=clientAuth"),
            ]
            for (name, authority, extensions) in leaves {
                try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(name)",
                                  "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr"])
                let common = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                try Data((common + extensions + "\n").utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name).ext"))
                try Self.openssl(["x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/\(authority).crt",
                                  "-CAkey", "\(directory)/\(authority).key", "-CAcreateserial", "-days", "1",
                                  "-extfile", "\(directory)/\(name).ext", "-out", "\(directory)/\(name).crt"])
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }

        private static func openssl(_ arguments: [String]) throws {
            let result = try Shell.capture(["/usr/bin/openssl"] + arguments)
            guard result.status == 0 else {
                throw TestEnvironmentError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.stderr)")
            }
        }
    }

    /// Serves 3 stored flows over mutual TLS on an ephemeral 127.0.0.1 port while `body` runs,
    /// with the certificate for the address, or (`named`) the one for the name only.
    static func withMutualTLSServer<T: Sendable>(
        _ certificates: Certificates, named: Bool = false, _ body: @Sendable (_ port: Int) async throws -> T
    ) async throws -> T {
        let store = try FlowTestData.store(capacity: 7, flows: 1...3)
        let configuration = ObserverListenConfiguration(
            host: "127.0.0.1", port: 0,
            security: .tls(certificateFile: certificates.serverCertificate(named: named), keyFile: certificates.serverKey(named: named),
                           clientCAFiles: [certificates.ca]))
        let server = configuration.makeServer(service: ObserverService(store: store, nodeName: "node-1"))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.serve()
                return nil
            }
            let address = try #require(try await server.listeningAddress?.ipv4)
            let result: T
            do {
                result = try await body(address.port)
            } catch {
                server.beginGracefulShutdown()
                group.cancelAll()
                throw error
            }
            server.beginGracefulShutdown()
            group.cancelAll()
            return result
        }
    }

    /// ServerStatus without waiting for the connection to become ready: a refused handshake
    /// fails the call instead of retrying until a timeout.
    static func seenFlows(_ target: ObserverTarget, _ tls: ObserverTLSOptions) async throws -> UInt64 {
        try await withObserver(target, tls: tls) {
            var options = CallOptions.defaults
            options.waitForReady = false
            options.timeout = .seconds(20)
            return try await $0.serverStatus(Observer_ServerStatusRequest(), options: options).seenFlows
        }
    }

    @Test func mutualTLSAdmitsOnlyClientsWithATrustedCertificate() async throws {
        let certificates = try Certificates()
        defer { certificates.remove() }
        let trusted = ObserverTLSOptions(
            caCertificateFiles: [certificates.ca], clientCertificateFile: certificates.clientCertificate,
            clientKeyFile: certificates.clientKey)
        let (seen, flows, refusals) = try await Self.withMutualTLSServer(certificates) { port in
            let target = ObserverTarget.tcp(host: "127.0.0.1", port: port)
            let seen = try await Self.seenFlows(target, trusted)
            let flows = try await withObserver(target, tls: trusted) { client in
                try await client.getFlows(.with { $0.number = 10 }) { response in
                    var ports: [UInt32] = []
                    for try await message in response.messages { ports.append(message.flow.l4.tcp.sourcePort) }
                    return ports
                }
            }
            var refusals: [String] = []
            let untrusted = [
                ("no certificate", ObserverTLSOptions(caCertificateFiles: [certificates.ca])),
                ("certificate of another CA", ObserverTLSOptions(
                    caCertificateFiles: [certificates.ca], clientCertificateFile: certificates.strangerCertificate,
                    clientKeyFile: certificates.strangerKey)),
            ]
            for (name, options) in untrusted {
                do { _ = try await Self.seenFlows(target, options) } catch { refusals.append(name) }
            }
            return (seen, flows, refusals)
        }
        #expect(seen == 3)
        #expect(flows == [1, 2, 3])
        #expect(refusals == ["no certificate", "certificate of another CA"])
    }

    /// `hflow observe --server host:port --tls ...` with Hubble's flags, including
    /// --tls-server-name when the address dialled is not the certificate's name.
    @Test func hflowUsesHubblesTLSFlags() async throws {
        let certificates = try Certificates()
        defer { certificates.remove() }
        let hflow = TestPaths.binary("hflow")
        try #require(FileManager.default.isExecutableFile(atPath: hflow), "build hflow first (\(hflow))")
        let trusted = ["observe", "--last", "3", "-o", "json", "--tls", "--tls-ca-cert-files", certificates.ca,
                       "--tls-client-cert-file", certificates.clientCertificate, "--tls-client-key-file", certificates.clientKey]
        // Off the cooperative pool: the server answering hflow runs on it (see `blocking`).
        var results = try await Self.withMutualTLSServer(certificates) { port in try await blocking {
            [
                "by address": try Shell.capture([hflow] + trusted + ["--server", "127.0.0.1:\(port)"]),
                "no client certificate": try Shell.capture(
                    [hflow, "observe", "--last", "3", "--server", "127.0.0.1:\(port)", "--tls", "--tls-ca-cert-files", certificates.ca]),
                "server not trusted": try Shell.capture([hflow] + trusted.filter { $0 != certificates.ca && $0 != "--tls-ca-cert-files" }
                    + ["--server", "127.0.0.1:\(port)"]),
            ]
        } }
        results.merge(try await Self.withMutualTLSServer(certificates, named: true) { port in try await blocking {
            [
                "by name": try Shell.capture([hflow] + trusted + ["--server", "127.0.0.1:\(port)", "--tls-server-name", Certificates.serverName]),
                "address, certificate for a name": try Shell.capture([hflow] + trusted + ["--server", "127.0.0.1:\(port)"]),
                "wrong name": try Shell.capture([hflow] + trusted + ["--server", "127.0.0.1:\(port)", "--tls-server-name", "elsewhere.example"]),
            ]
        } }) { $1 }
        for name in ["by address", "by name"] {
            let result = try #require(results[name])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 3, "\(name): \(result.stdout)")
            #expect(lines.allSatisfy { $0.contains("\"node_name\":\"node-1\"") })
        }
        for name in ["no client certificate", "server not trusted", "address, certificate for a name", "wrong name"] {
            let result = try #require(results[name])
            #expect(result.status == 1 && result.stdout.isEmpty, "\(name) must fail: \(result.status) \(result.stdout)")
            #expect(result.stderr.contains("127.0.0.1"), "\(name): the error names the server: \(result.stderr)")
        }
    }

    @Test func listenAddresses() throws {
        let any = try ObserverListenConfiguration(listen: ":4244", security: .plaintext)
        #expect(any.host == "0.0.0.0" && any.port == 4244)
        #expect(try ObserverListenConfiguration(listen: "[::1]:4244", security: .plaintext).host == "::1")
        #expect(throws: ObserverListenError.self) { try ObserverListenConfiguration(listen: "4244", security: .plaintext) }
    }
}
