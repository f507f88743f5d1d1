import Foundation
import Testing

@testable import HedgerowKubernetes

@Suite struct ConfigTests {
    static let kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: lab
        clusters:
        - name: lab
          cluster:
            server: https://127.0.0.1:6443
            certificate-authority-data: \(Data("CA PEM".utf8).base64EncodedString())
        - name: other
          cluster:
            server: https://10.0.0.1:6443
            insecure-skip-tls-verify: true
        contexts:
        - name: lab
          context: {cluster: lab, user: admin, namespace: kube-system}
        - name: other
          context: {cluster: other, user: reader}
        users:
        - name: admin
          user:
            client-certificate-data: \(Data("CERT".utf8).base64EncodedString())
            client-key-data: \(Data("KEY".utf8).base64EncodedString())
        - name: reader
          user:
            tokenFile: secrets/token
        """

    @Test func currentContextSelectsClusterUserAndInlineData() throws {
        let selection = try KubeconfigParsing.parse(Self.kubeconfig, file: "/etc/kube/config")
        #expect(selection.contextName == "lab")
        #expect(selection.server == "https://127.0.0.1:6443")
        #expect(selection.certificateAuthority == .data(Array("CA PEM".utf8)))
        #expect(selection.clientCertificate == .data(Array("CERT".utf8)))
        #expect(selection.clientKey == .data(Array("KEY".utf8)))
        #expect(selection.namespace == "kube-system")
        #expect(!selection.insecureSkipTLSVerify)
    }

    @Test func aNamedContextWithATokenFileRelativeToTheKubeconfig() throws {
        let selection = try KubeconfigParsing.parse(Self.kubeconfig, file: "/etc/kube/config", context: "other")
        #expect(selection.insecureSkipTLSVerify)
        #expect(selection.tokenFile == "/etc/kube/secrets/token")
        #expect(selection.clientCertificate == nil)
    }

    @Test(arguments: [
        ("current-context: nowhere\nclusters: []\ncontexts: []\n", "contexts", "no entry named \"nowhere\""),
        (
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: https://h}\nusers:\n- name: u\n  user: {exec: {command: aws}}\n",
            "users[name=\"u\"].user.exec", "exec credential plugins is not supported"
        ),
        (
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\nclusters:\n- name: k\n  cluster: {server: https://h, certificate-authority-data: '%%%'}\n",
            "clusters[name=\"k\"].cluster.certificate-authority-data", "not valid base64"
        ),
        (
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: https://h}\nusers:\n- name: u\n  user: {client-certificate: c.pem}\n",
            "users[name=\"u\"].user.client-key", "needs both"
        ),
        (
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\nclusters:\n- name: k\n  cluster: {server: h:6443}\n",
            "clusters[name=\"k\"].cluster.server", "not an http(s) URL"
        ),
    ])
    func errorsNameTheFileAndTheField(yaml: String, field: String, message: String) {
        do {
            _ = try KubeconfigParsing.parse(yaml, file: "/k/config")
            Issue.record("expected an error about \(field)")
        } catch {
            #expect(error.file == "/k/config")
            #expect(error.field == field)
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func loadingReadsReferencedFilesAndNamesAMissingOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config").path
        let yaml = """
            current-context: c
            contexts:
            - name: c
              context: {cluster: k, user: u}
            clusters:
            - name: k
              cluster: {server: "https://api.lab:6443/", certificate-authority: ca.crt}
            users:
            - name: u
              user: {token: abc123}
            """
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        do {
            _ = try KubernetesConfigLoading.kubeconfig(at: config)
            Issue.record("ca.crt does not exist yet")
        } catch {
            #expect(error.file == config)
            #expect(error.field == "clusters[name=\"k\"].cluster.certificate-authority")
            #expect(error.message.contains(directory.appendingPathComponent("ca.crt").path))
        }
        try "CA".write(toFile: directory.appendingPathComponent("ca.crt").path, atomically: true, encoding: .utf8)
        let loaded = try KubernetesConfigLoading.kubeconfig(at: config)
        #expect(loaded.server == "https://api.lab:6443")
        #expect(loaded.certificateAuthority == Array("CA".utf8))
        #expect(loaded.bearerToken == .value("abc123"))
        #expect(loaded.origin == "\(config) (context c)")
    }

    @Test func inClusterUsesTheServiceAccountDirectoryAndEnvironment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        do {
            _ = try KubernetesConfigLoading.inCluster(environment: environment, directory: directory.path)
            Issue.record("no token yet")
        } catch {
            #expect(error.file == directory.appendingPathComponent("token").path)
        }
        try "tok\n".write(toFile: directory.appendingPathComponent("token").path, atomically: true, encoding: .utf8)
        try "CA".write(toFile: directory.appendingPathComponent("ca.crt").path, atomically: true, encoding: .utf8)
        try "hedgerow\n".write(toFile: directory.appendingPathComponent("namespace").path, atomically: true, encoding: .utf8)
        let config = try KubernetesConfigLoading.inCluster(environment: environment, directory: directory.path)
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.bearerToken == .file(directory.appendingPathComponent("token").path))
        #expect(config.namespace == "hedgerow")

        #expect(throws: KubernetesConfigError.self) {
            try KubernetesConfigLoading.inCluster(environment: [:], directory: directory.path)
        }
    }
}
