import Foundation
import NIOSSL
import Testing

@testable import HedgerowKubernetes

/// HTTPS with a CA made by `openssl` for this test: the client trusts only that CA and
/// presents a client certificate, which the server requires and records.
@Suite struct TLSAuthenticationTests {
    /// CA, server certificate for 127.0.0.1, client certificate for CN=system:node:lab.
    struct Certificates {
        let directory: URL
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: directory.appendingPathComponent(name))) }

        static func make() throws -> Certificates {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-tls-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = """
                set -e
                openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt \
                  -days 1 -subj /CN=hedgerow-test-ca
                openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
                  -subj /CN=kube-apiserver
                printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
                openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile server.ext -out server.crt
                openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout client.key -out client.csr \
                  -subj /O=system:nodes/CN=system:node:lab
                printf 'extendedKeyUsage=clientAuth\\n' > client.ext
                openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile client.ext -out client.crt
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw WaitTimedOut(description: "openssl failed with status \(process.terminationStatus)")
            }
            return Certificates(directory: directory)
        }
    }

    @Test func clientCertificateAndTokenAreSentOverTLSToATrustedServer() async throws {
        let certificates = try Certificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }

        var serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.path("server.crt")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.path("server.key"), format: .pem)))
        serverTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.path("ca.crt")))
        serverTLS.certificateVerification = .noHostnameVerification  // a client certificate is required
        serverTLS.shutdownTimeout = .milliseconds(100)  // do not wait for close_notify when the test stops the server

        let script = APIScript()
        script.onList(.namespaces, .json(APIResponses.list("Namespace", apiVersion: "v1", rv: "3", items: [APIResponses.namespace("lab", rv: "2")])))
        let server = try await FakeAPIServer(tls: serverTLS) { script.reply(to: $0) }
        let config = KubernetesClusterConfig(
            server: "https://127.0.0.1:\(server.port)", certificateAuthority: try certificates.bytes("ca.crt"),
            bearerToken: .value("node-token"),
            clientCertificate: ClientCertificate(
                certificateChain: try certificates.bytes("client.crt"), privateKey: try certificates.bytes("client.key")),
            origin: "test")
        let clientDER = try NIOSSLCertificate.fromPEMFile(certificates.path("client.crt"))[0].toDERBytes()

        try await withSource(server: server, config: config, resources: [.namespaces]) { source, server in
            await source.waitUntilReady()
            #expect(await source.currentState()?.namespaces["lab"] != nil)
            let list = try #require(server.requests.first)
            #expect(list.clientCertificateDER == clientDER)
            #expect(list.headers["authorization"] == "Bearer node-token")
        }
    }

    @Test func aServerSignedByAnotherCAIsRefused() async throws {
        let certificates = try Certificates.make()
        let other = try Certificates.make()
        defer {
            try? FileManager.default.removeItem(at: certificates.directory)
            try? FileManager.default.removeItem(at: other.directory)
        }
        let serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.path("server.crt")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.path("server.key"), format: .pem)))
        let script = APIScript()
        let server = try await FakeAPIServer(tls: serverTLS) { script.reply(to: $0) }
        let config = KubernetesClusterConfig(
            server: "https://127.0.0.1:\(server.port)", certificateAuthority: try other.bytes("ca.crt"), origin: "test")
        let client = try KubernetesAPIClient(config: config, connectTimeout: .seconds(1))
        let result = await client.list(.namespaces, limit: 10, continueToken: nil)
        await client.shutdown()
        await server.shutdown()
        guard case .failure(.transport(let reason)) = result else {
            Issue.record("expected a TLS failure, got \(result)")
            return
        }
        #expect(!reason.isEmpty)
        #expect(server.requests.isEmpty, "no request reached the untrusted server")
    }

    @Test func unreadableKeyMaterialIsAConfigErrorNamingTheField() {
        let config = KubernetesClusterConfig(
            server: "https://127.0.0.1:1",
            clientCertificate: ClientCertificate(certificateChain: Array("nope".utf8), privateKey: []), origin: "/k/config (context c)")
        do {
            _ = try KubernetesAPIClient(config: config)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/k/config (context c)" && error.field == "client-certificate")
        }
    }
}
