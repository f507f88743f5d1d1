import Foundation
import HedgerowCNI

/// Runs a node's conflist for one pod exactly as a container runtime does: each plugin is
/// executed (inside the node netns, through `hlab _enter`) with the CNI environment and its
/// network configuration on stdin; ADD goes in order with each plugin's result becoming the
/// next one's `prevResult`, DEL goes in reverse with the cached final result. The stdin and
/// environment of each call come from HedgerowCNI; this type finds and runs the executables.
public struct CNIChain: Sendable {
    public let node: NodeState
    public let options: LabOptions
    public let enter: EnterCommand
    /// Plugins are killed after this long (a hung plugin must not hang the lab).
    public var pluginTimeout: TimeInterval = 60

    public init(node: NodeState, options: LabOptions, enter: EnterCommand) {
        self.node = node
        self.options = options
        self.enter = enter
    }

    /// How long ADD is retried while a plugin answers "try again later" (CNI code 11), as
    /// kubelet retries a sandbox: e.g. an agent that has not yet read the pod's manifest.
    public var retryFor: TimeInterval = 15

    /// ADD through the whole chain; returns the final result, to cache for DEL and CHECK.
    /// A failed attempt is rolled back with DEL (in reverse, no cached result) first.
    public func add(_ pod: PodState) throws -> CNIResult {
        let list = try NodeConflist.load(node.conflist)
        let deadline = Date().addingTimeInterval(retryFor)
        var pause: TimeInterval = 0.1
        while true {
            do {
                return try addOnce(pod, list: list)
            } catch let failure as CNIPluginFailure where failure.cniError?.code == .tryAgainLater && Date() < deadline {
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 1)
            }
        }
    }

    private func addOnce(_ pod: PodState, list: CNINetworkConfigList) throws -> CNIResult {
        let runtime = runtimeConfig(pod)
        var result: CNIResult?
        for index in list.plugins.indices {
            let invocation = list.addInvocation(pluginAt: index, previousResult: result, runtime: runtime, cniPath: cniPath)
            do {
                let output = try run(invocation, pod: pod)
                do {
                    result = try CNIResult(jsonData: Data(output.utf8))
                } catch {
                    throw LabError("CNI ADD of \(pod.spec.qualifiedName): plugin \(invocation.pluginType) printed no valid result: \(error)")
                }
            } catch {
                _ = deleteBestEffort(pod, list: list, cached: nil)
                throw error
            }
        }
        guard let result else { throw LabError("CNI ADD of \(pod.spec.qualifiedName): the chain returned no result") }
        return result
    }

    /// CHECK through the chain in order, with the cached result.
    public func check(_ pod: PodState) throws {
        guard let cached = try cachedResult(pod) else {
            throw LabError("pod \(pod.spec.qualifiedName) has no cached CNI result to check")
        }
        let list = try NodeConflist.load(node.conflist)
        for invocation in try list.checkInvocations(cachedResult: cached, runtime: runtimeConfig(pod), cniPath: cniPath) {
            _ = try run(invocation, pod: pod)
        }
    }

    /// DEL through every plugin in reverse, going on past failures (teardown must be
    /// thorough); returns one message per plugin that failed.
    public func deleteBestEffort(_ pod: PodState) -> [String] {
        let list: CNINetworkConfigList
        let cached: CNIResult?
        do {
            list = try NodeConflist.load(node.conflist)
            cached = try cachedResult(pod)
        } catch {
            return ["\(error)"]
        }
        return deleteBestEffort(pod, list: list, cached: cached)
    }

    private func deleteBestEffort(_ pod: PodState, list: CNINetworkConfigList, cached: CNIResult?) -> [String] {
        var failures: [String] = []
        for invocation in list.deleteInvocations(cachedResult: cached, runtime: runtimeConfig(pod), cniPath: cniPath) {
            do { _ = try run(invocation, pod: pod) } catch { failures.append("\(error)") }
        }
        return failures
    }

    /// What a Kubernetes runtime tells the plugins about the pod (CNI_ARGS: IgnoreUnknown=1
    /// first, then K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID).
    public func runtimeConfig(_ pod: PodState) -> CNIRuntimeConfig {
        CNIRuntimeConfig(
            containerID: pod.containerID, netns: NetworkNamespaces.path(pod.netns), ifName: pod.ifName,
            args: CNIRuntimeConfig.kubernetesArgs(namespace: pod.spec.namespace, name: pod.spec.name, infraContainerID: pod.containerID))
    }

    var cniPath: [String] { options.cniPath.split(separator: ":").map(String.init) }

    private func cachedResult(_ pod: PodState) throws -> CNIResult? {
        guard let json = pod.cniResult else { return nil }
        do {
            return try CNIResult(json: json)
        } catch {
            throw LabError("cached CNI result of \(pod.spec.qualifiedName) is invalid: \(error)")
        }
    }

    /// Runs one plugin in the node netns; returns its stdout, or throws its CNI error.
    private func run(_ invocation: CNIPluginInvocation, pod: PodState) throws -> String {
        let binary = try findPlugin(invocation.pluginType)
        let argv = enter.argv(netns: node.netns, command: [binary])
        let result = try CommandRunner.run(
            argv, environment: invocation.environment, stdin: invocation.stdinData, timeout: pluginTimeout)
        guard result.status == 0, !result.timedOut else {
            throw CNIPluginFailure(
                command: invocation.command, plugin: invocation.pluginType, pod: pod.spec.qualifiedName,
                status: result.status, timedOut: result.timedOut, stdout: result.stdout, stderr: result.stderr)
        }
        return result.stdout
    }

    func findPlugin(_ type: String) throws -> String {
        for dir in cniPath {
            let candidate = "\(dir)/\(type)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw LabError("CNI plugin '\(type)' was not found in CNI_PATH \(options.cniPath)")
    }
}

/// A plugin that failed: its CNI error (code, msg, details) when it printed one.
public struct CNIPluginFailure: Error, CustomStringConvertible {
    public let command: CNICommand
    public let plugin: String
    public let pod: String
    public let status: Int32
    public let timedOut: Bool
    public let stdout: String
    public let stderr: String

    /// The plugin's error as it printed it, nil when its output was not a CNI error.
    public var cniError: CNIError? {
        guard let value = try? JSONValue.parse(Data(stdout.utf8)) else { return nil }
        return try? CNIError(json: value)
    }

    public var description: String {
        let prefix = "CNI \(command.rawValue) of \(pod) failed in plugin \(plugin)"
        if timedOut { return "\(prefix): it did not finish in time and was killed" }
        if let cniError { return "\(prefix): \(cniError)" }
        let detail = [stdout, stderr].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return "\(prefix) (exit \(status))" + (detail.isEmpty ? "" : ": " + detail.joined(separator: "; "))
    }
}
