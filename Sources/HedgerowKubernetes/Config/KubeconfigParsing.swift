import Foundation
import Yams

/// The parts of a kubeconfig that one context selects, with file references not yet read.
/// Pure: `KubeconfigLoading` reads the referenced files.
public struct KubeconfigSelection: Hashable, Sendable {
    /// Inline bytes (`*-data`, base64-decoded) or a path (resolved against the kubeconfig's directory).
    public enum Material: Hashable, Sendable {
        case data([UInt8])
        case file(String)
    }

    public var contextName: String
    public var server: String
    public var certificateAuthority: Material?
    public var insecureSkipTLSVerify: Bool
    public var token: String?
    public var tokenFile: String?
    public var clientCertificate: Material?
    public var clientKey: Material?
    public var namespace: String?
    /// The field path of each value above, for messages about reading it.
    public var fieldPaths: [String: String]
}

/// Reads a kubeconfig (YAML): the current context (or a named one), its cluster and its user.
public enum KubeconfigParsing {
    /// - Parameters:
    ///   - file: the kubeconfig's path: named in errors; relative paths in it are resolved against its directory.
    ///   - context: a context to use instead of `current-context`.
    public static func parse(
        _ contents: String, file: String, context: String? = nil
    ) throws(KubernetesConfigError) -> KubeconfigSelection {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: contents) else {
                throw KubernetesConfigError(file: file, message: "the file is empty")
            }
            root = node
        } catch let error as KubernetesConfigError {
            throw error
        } catch {
            throw KubernetesConfigError(file: file, message: "not valid YAML: \(error)")
        }
        let reader = Reader(file: file)
        guard root.mapping != nil else { throw reader.error(nil, "expected a map at the top level") }

        let contextName: String
        if let context { contextName = context } else { contextName = try reader.requiredString(root, "current-context", at: "") }
        let (contextEntry, contextPath) = try reader.named(root, "contexts", contextName, entryField: "context")
        let clusterName = try reader.requiredString(contextEntry, "cluster", at: contextPath)
        let userName = reader.optionalString(contextEntry, "user")
        let namespace = reader.optionalString(contextEntry, "namespace")

        let (cluster, clusterPath) = try reader.named(root, "clusters", clusterName, entryField: "cluster")
        let server = try reader.requiredString(cluster, "server", at: clusterPath)
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw reader.error(clusterPath + ".server", "\"\(server)\" is not an http(s) URL")
        }
        var paths: [String: String] = ["server": clusterPath + ".server"]
        let certificateAuthority = try reader.material(
            cluster, file: "certificate-authority", data: "certificate-authority-data", at: clusterPath,
            paths: &paths)
        let insecure = try reader.optionalBool(cluster, "insecure-skip-tls-verify", at: clusterPath) ?? false

        var selection = KubeconfigSelection(
            contextName: contextName, server: server, certificateAuthority: certificateAuthority,
            insecureSkipTLSVerify: insecure, namespace: namespace, fieldPaths: paths)
        guard let userName, !userName.isEmpty else { return selection }

        let (user, userPath) = try reader.named(root, "users", userName, entryField: "user")
        for (key, what) in KubeconfigParsing.unsupportedUserFields where user.mapping?[key] != nil {
            throw reader.error("\(userPath).\(key)", "\(what) is not supported; use a token or a client certificate")
        }
        selection.token = reader.optionalString(user, "token")
        selection.tokenFile = reader.optionalString(user, "tokenFile").map(reader.resolve)
        selection.clientCertificate = try reader.material(
            user, file: "client-certificate", data: "client-certificate-data", at: userPath, paths: &paths)
        selection.clientKey = try reader.material(
            user, file: "client-key", data: "client-key-data", at: userPath, paths: &paths)
        paths["token"] = userPath + ".token"
        paths["tokenFile"] = userPath + ".tokenFile"
        selection.fieldPaths = paths
        if (selection.clientCertificate == nil) != (selection.clientKey == nil) {
            let missing = selection.clientKey == nil ? "client-key" : "client-certificate"
            throw reader.error("\(userPath).\(missing)", "a client certificate needs both client-certificate and client-key")
        }
        return selection
    }

    /// User fields of other authentication methods, and how messages name them.
    static let unsupportedUserFields: [(String, String)] = [
        ("exec", "exec credential plugins"), ("auth-provider", "auth providers"),
        ("username", "basic authentication"), ("password", "basic authentication"),
    ]
}

/// Walks the YAML tree, naming fields as `users[name="admin"].user.token` in errors.
private struct Reader {
    let file: String

    func error(_ field: String?, _ message: String) -> KubernetesConfigError {
        KubernetesConfigError(file: file, field: field, message: message)
    }

    func requiredString(_ node: Node, _ key: String, at path: String) throws(KubernetesConfigError) -> String {
        let field = path.isEmpty ? key : "\(path).\(key)"
        guard let value = node.mapping?[key] else { throw error(field, "missing") }
        guard case .scalar(let scalar) = value, !scalar.string.isEmpty else {
            throw error(field, "must be a non-empty string")
        }
        return scalar.string
    }

    func optionalString(_ node: Node, _ key: String) -> String? {
        guard case .scalar(let scalar)? = node.mapping?[key], !scalar.string.isEmpty else { return nil }
        return scalar.string
    }

    func optionalBool(_ node: Node, _ key: String, at path: String) throws(KubernetesConfigError) -> Bool? {
        guard let value = node.mapping?[key] else { return nil }
        guard let bool = value.bool else { throw error("\(path).\(key)", "must be true or false") }
        return bool
    }

    /// The `entryField` map of the list item of `listKey` whose `name` is `name`.
    func named(
        _ root: Node, _ listKey: String, _ name: String, entryField: String
    ) throws(KubernetesConfigError) -> (Node, String) {
        guard let list = root.mapping?[listKey]?.sequence else {
            throw error(listKey, "missing, so \(entryField) \"\(name)\" cannot be found")
        }
        let path = "\(listKey)[name=\"\(name)\"]"
        guard let item = list.first(where: { $0.mapping?["name"]?.string == name }) else {
            let known = list.compactMap { $0.mapping?["name"]?.string }.map { "\"\($0)\"" }.joined(separator: ", ")
            throw error(listKey, "no entry named \"\(name)\" (have: \(known.isEmpty ? "none" : known))")
        }
        guard let entry = item.mapping?[entryField], entry.mapping != nil else {
            throw error("\(path).\(entryField)", "missing or not a map")
        }
        return (entry, "\(path).\(entryField)")
    }

    /// `data` (base64) wins over `file`, as in kubectl.
    func material(
        _ node: Node, file fileKey: String, data dataKey: String, at path: String, paths: inout [String: String]
    ) throws(KubernetesConfigError) -> KubeconfigSelection.Material? {
        if let encoded = optionalString(node, dataKey) {
            paths[fileKey] = "\(path).\(dataKey)"
            let compact = encoded.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact) else {
                throw error("\(path).\(dataKey)", "not valid base64")
            }
            return .data(Array(data))
        }
        if let filePath = optionalString(node, fileKey) {
            paths[fileKey] = "\(path).\(fileKey)"
            return .file(resolve(filePath))
        }
        return nil
    }

    /// Relative paths in a kubeconfig are relative to the kubeconfig's directory.
    func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : directory + "/" + path
    }
}
