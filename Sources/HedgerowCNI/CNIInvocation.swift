import Foundation

/// What a runtime knows about the attachment it is setting up (libcni's `RuntimeConf`).
public struct CNIRuntimeConfig: Hashable, Sendable {
    public var containerID: String
    /// Path of the container's network namespace; may be empty for DEL when it is gone.
    public var netns: String
    public var ifName: String
    /// Extra CNI_ARGS (e.g. K8S_POD_NAMESPACE); `IgnoreUnknown=1` is always put first.
    public var args: [CNIArg]
    /// Capability arguments, given to plugins that declare the capability (e.g. `portMappings`).
    public var capabilityArgs: [String: JSONValue]

    public init(
        containerID: String, netns: String, ifName: String = "eth0", args: [CNIArg] = [],
        capabilityArgs: [String: JSONValue] = [:]
    ) {
        self.containerID = containerID
        self.netns = netns
        self.ifName = ifName
        self.args = args
        self.capabilityArgs = capabilityArgs
    }

    /// The Kubernetes arguments kubelet's runtimes pass.
    public static func kubernetesArgs(namespace: String, name: String, infraContainerID: String, uid: String? = nil) -> [CNIArg] {
        var args = [
            CNIArg(CNIArgs.podNamespaceKey, namespace), CNIArg(CNIArgs.podNameKey, name),
            CNIArg(CNIArgs.podInfraContainerIDKey, infraContainerID),
        ]
        if let uid { args.append(CNIArg(CNIArgs.podUIDKey, uid)) }
        return args
    }
}

/// One plugin execution, ready to run: the executable's name (to find in `cniPath`), its stdin
/// and the CNI variables to add to the environment. Spawning it is the caller's job.
public struct CNIPluginInvocation: Hashable, Sendable {
    public var pluginType: String
    public var command: CNICommand
    public var stdin: JSONValue
    /// Only the CNI_* variables; callers merge them into the environment they run with.
    public var environment: [String: String]

    public var stdinData: Data { stdin.serialized() }
}

/// Building invocations from a configuration list, as libcni does for runtimes:
///
/// - ADD runs the plugins in order; each gets the list's `name` and `cniVersion` and, after the
///   first, the previous plugin's result as `prevResult` (so ADD goes one plugin at a time).
/// - DEL runs them in reverse order; each gets the cached ADD result as `prevResult` (from
///   version 0.4.0 on, when there is one).
/// - CHECK runs them in order, each with the cached ADD result; not allowed when the list
///   disables it or predates 0.4.0.
///
/// Results are passed as they are, not converted between versions.
extension CNINetworkConfigList {
    public func addInvocation(
        pluginAt index: Int, previousResult: CNIResult?, runtime: CNIRuntimeConfig, cniPath: [String]
    ) -> CNIPluginInvocation {
        invocation(.add, pluginAt: index, prevResult: index == 0 ? nil : previousResult, runtime: runtime, cniPath: cniPath)
    }

    public func deleteInvocations(cachedResult: CNIResult?, runtime: CNIRuntimeConfig, cniPath: [String]) -> [CNIPluginInvocation] {
        let prevResult = CNIVersion.hasCheckAndDelResult(cniVersion) ? cachedResult : nil
        return plugins.indices.reversed().map {
            invocation(.del, pluginAt: $0, prevResult: prevResult, runtime: runtime, cniPath: cniPath)
        }
    }

    public func checkInvocations(
        cachedResult: CNIResult, runtime: CNIRuntimeConfig, cniPath: [String]
    ) throws(CNIError) -> [CNIPluginInvocation] {
        guard CNIVersion.hasCheckAndDelResult(cniVersion) else {
            throw CNIError(.incompatibleCNIVersion, "configuration list version \(cniVersion) does not allow CHECK")
        }
        guard !disableCheck else {
            throw CNIError(.invalidNetworkConfig, "configuration list \(name) disables CHECK")
        }
        return plugins.indices.map {
            invocation(.check, pluginAt: $0, prevResult: cachedResult, runtime: runtime, cniPath: cniPath)
        }
    }

    /// The stdin configuration of one plugin: its own fields, with the list's name and
    /// cniVersion, `prevResult` when given, and `runtimeConfig` holding the capability
    /// arguments the plugin declares in `capabilities`.
    public func pluginConfig(at index: Int, prevResult: CNIResult?, runtime: CNIRuntimeConfig) -> JSONValue {
        var config = plugins[index]
        config["name"] = .string(name)
        config["cniVersion"] = .string(cniVersion)
        if let prevResult { config["prevResult"] = prevResult.json }
        var runtimeConfig: [String: JSONValue] = [:]
        for (capability, enabled) in config["capabilities"]?.objectValue ?? [:] where enabled == .bool(true) {
            if let value = runtime.capabilityArgs[capability] { runtimeConfig[capability] = value }
        }
        if !runtimeConfig.isEmpty { config["runtimeConfig"] = .object(runtimeConfig) }
        return .object(config)
    }

    private func invocation(
        _ command: CNICommand, pluginAt index: Int, prevResult: CNIResult?, runtime: CNIRuntimeConfig, cniPath: [String]
    ) -> CNIPluginInvocation {
        CNIPluginInvocation(
            pluginType: pluginTypes[index], command: command,
            stdin: pluginConfig(at: index, prevResult: prevResult, runtime: runtime),
            environment: CNIRuntimeEnvironment.variables(command: command, runtime: runtime, cniPath: cniPath))
    }
}

/// The CNI_* variables a runtime passes to a plugin.
public enum CNIRuntimeEnvironment {
    /// CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS (starting with
    /// `IgnoreUnknown=1`, as container runtimes do, so plugins skip the keys they do not know)
    /// and CNI_PATH (joined with ':').
    public static func variables(command: CNICommand, runtime: CNIRuntimeConfig, cniPath: [String]) -> [String: String] {
        let args = [CNIArg(CNIArgs.ignoreUnknownKey, "1")] + runtime.args.filter { $0.key != CNIArgs.ignoreUnknownKey }
        return [
            "CNI_COMMAND": command.rawValue,
            "CNI_CONTAINERID": runtime.containerID,
            "CNI_NETNS": runtime.netns,
            "CNI_IFNAME": runtime.ifName,
            "CNI_ARGS": CNIArgs(args).description,
            "CNI_PATH": cniPath.joined(separator: ":"),
        ]
    }
}
