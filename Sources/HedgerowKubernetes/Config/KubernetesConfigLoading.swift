import Foundation

/// Turns a kubeconfig file or the in-cluster environment into a `KubernetesClusterConfig`,
/// reading every file it refers to now, so a missing certificate fails at start with its name.
public enum KubernetesConfigLoading {
    /// Where Kubernetes mounts a pod's service-account token, CA and namespace.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// `--kubeconfig FILE`, optionally with a context other than the current one.
    public static func kubeconfig(at path: String, context: String? = nil) throws(KubernetesConfigError)
        -> KubernetesClusterConfig
    {
        let contents = try readText(path, file: path, field: nil)
        let selection = try KubeconfigParsing.parse(contents, file: path, context: context)
        func read(_ material: KubeconfigSelection.Material?, _ key: String) throws(KubernetesConfigError) -> [UInt8]? {
            switch material {
            case nil: return nil
            case .data(let bytes): return bytes
            case .file(let referenced): return try readBytes(referenced, file: path, field: selection.fieldPaths[key])
            }
        }
        var bearerToken: BearerToken? = selection.token.map(BearerToken.value)
        if bearerToken == nil, let tokenFile = selection.tokenFile {
            _ = try readText(tokenFile, file: path, field: selection.fieldPaths["tokenFile"])
            bearerToken = .file(tokenFile)
        }
        var clientCertificate: ClientCertificate? = nil
        if let chain = try read(selection.clientCertificate, "client-certificate"),
            let key = try read(selection.clientKey, "client-key")
        {
            clientCertificate = ClientCertificate(certificateChain: chain, privateKey: key)
        }
        return KubernetesClusterConfig(
            server: selection.server,
            certificateAuthority: try read(selection.certificateAuthority, "certificate-authority"),
            insecureSkipTLSVerify: selection.insecureSkipTLSVerify, bearerToken: bearerToken,
            clientCertificate: clientCertificate, namespace: selection.namespace,
            origin: "\(path) (context \(selection.contextName))")
    }

    /// In-cluster: `KUBERNETES_SERVICE_HOST`/`_PORT` and the service-account directory.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws(KubernetesConfigError) -> KubernetesClusterConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubernetesConfigError(
                file: "environment", field: "KUBERNETES_SERVICE_HOST",
                message: "not set: not running in a pod (use --kubeconfig)")
        }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        guard let portNumber = UInt16(port), portNumber > 0 else {
            throw KubernetesConfigError(
                file: "environment", field: "KUBERNETES_SERVICE_PORT", message: "\"\(port)\" is not a port number")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6 literal
        let tokenPath = directory + "/token"
        _ = try readText(tokenPath, file: tokenPath, field: nil)
        let caPath = directory + "/ca.crt"
        let certificateAuthority = try readBytes(caPath, file: caPath, field: nil)
        let namespace = try? readText(directory + "/namespace", file: directory, field: "namespace")
        return KubernetesClusterConfig(
            server: "https://\(hostPart):\(portNumber)", certificateAuthority: certificateAuthority,
            bearerToken: .file(tokenPath),
            namespace: namespace?.trimmingCharacters(in: .whitespacesAndNewlines), origin: "in-cluster")
    }

    static func readBytes(_ path: String, file: String, field: String?) throws(KubernetesConfigError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw KubernetesConfigError(file: file, field: field, message: "file \(path) \(reason)")
        }
        return Array(data)
    }

    static func readText(_ path: String, file: String, field: String?) throws(KubernetesConfigError) -> String {
        String(decoding: try readBytes(path, file: file, field: field), as: UTF8.self)
    }
}
