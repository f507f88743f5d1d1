import ArgumentParser
import HedgerowCLI
import Foundation
import HedgerowAgent
import HedgerowKubernetes
import Logging

extension HAgent {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the agent (the DaemonSet's command).")

        @Option(help: "This node's name (default: $HEDGEROW_NODE_NAME, else the hostname).")
        var nodeName: String?

        @Option(help: "Standalone mode: a directory of Kubernetes manifests (Namespace, Pod, ...), watched for changes.")
        var manifests: String?

        @Flag(help: "Cluster mode inside a pod: list and watch the API server with the pod's service account.")
        var kubernetes = false

        @Option(help: "Cluster mode with a kubeconfig file (its current context, or --kube-context).")
        var kubeconfig: String?

        @Option(help: "The kubeconfig context to use (default: its current-context).")
        var kubeContext: String?

        @Option(help: "bpffs directory for this node's pinned maps (default /sys/fs/bpf/hedgerow/<node>).")
        var pinDir: String?

        @Option(help: "Directory for the agent's persisted state (default /var/run/hedgerow/<node>).")
        var stateDir: String?

        @Option(help: "The Agent API unix socket (default /run/hedgerow/agent.sock).")
        var apiSocket: String?

        @Option(help: "Directory of compiled BPF objects (default: $HEDGEROW_BPF_DIR, next to the binary, /usr/lib/hedgerow/bpf).")
        var bpfDir: String?

        @Option(help: "cgroup2 directory whose sockets get socket-level service translation.")
        var cgroup: String?

        @Option(help: "The node's uplink device: NodePort and external-IP services are translated there.")
        var uplink: String?

        @Option(help: "Flows kept for hflow observe: 2^n - 1.")
        var flowCapacity: Int = FlowStore.defaultCapacity

        @Option(help: "Also serve the Hubble Observer API on TCP, e.g. :4244 (off by default).")
        var observerListen: String?

        @Option(help: "TLS certificate (PEM) for --observer-listen.")
        var observerTLSCert: String?

        @Option(help: "TLS private key (PEM) for --observer-listen.")
        var observerTLSKey: String?

        @Option(help: "CA bundle (PEM) client certificates must chain to (mutual TLS, as Hubble Relay uses). Repeatable.")
        var observerTLSClientCA: [String] = []

        @Option(help: "Serve Prometheus /metrics and /healthz on HOST:PORT (\"off\" disables).")
        var metricsListen = "127.0.0.1:9962"

        @Option(help: "Keep flow history on disk in this directory (compressed, rotated segments); off by default.")
        var flowLog: String?

        @Option(help: "Total size cap of the flow history, e.g. 256MiB, 1GB or bytes; oldest segments go first.")
        var flowLogMaxSize = "256MiB"

        @Option(help: "Delete flow history older than this Go-style duration, e.g. 24h (default: no age limit).")
        var flowLogMaxAge: String?

        @Flag(help: "Audit every policy: nothing is dropped by policy; what would be passes and is reported with verdict AUDIT.")
        var policyAudit = false

        @Option(help: "How often to check for code pages that ran once (start-up, bursts) and return them to the kernel; 0 turns this off.")
        var codeTrimInterval = "30s"

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: Logger.Level = .info

        func run() async throws {
            let startedAt = ContinuousClock.now
            let node = nodeName ?? NodeName.current
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = logLevel
                return handler
            }
            var logger = Logger(label: "hagent")
            logger[metadataKey: "node"] = "\(node)"
            let configuration = AgentConfiguration(
                nodeName: node, manifestsDirectory: manifests, kubernetes: try kubernetesConfiguration(), pinDirectory: pinDir, stateDirectory: stateDir,
                apiSocketPath: apiSocket, bpfObjectDirectory: try BPFObjectDirectory.resolve(bpfDir),
                cgroupPath: cgroup, uplinkDevice: uplink, flowCapacity: flowCapacity, observerListen: try observerListenConfiguration(),
                metricsListen: metricsListen == "off" ? nil : metricsListen, flowLog: try flowLogConfiguration(),
                policyAudit: policyAudit, codeTrimInterval: try codeTrimIntervalDuration())
            do {
                try await Agent(configuration: configuration, logger: logger, startedAt: startedAt).run()
            } catch {
                logger.critical("agent failed: \(error)")
                throw ExitCode.failure
            }
        }
    }
}

extension HAgent.Run {
    func validate() throws {
        let sources = [manifests != nil, kubernetes, kubeconfig != nil].filter { $0 }.count
        guard sources <= 1 else { throw ValidationError("--manifests, --kubernetes and --kubeconfig exclude each other") }
        if kubeContext != nil && kubeconfig == nil { throw ValidationError("--kube-context needs --kubeconfig") }
        _ = try codeTrimIntervalDuration()
    }

    func kubernetesConfiguration() throws -> KubernetesClusterConfig? {
        if let kubeconfig { return try KubernetesConfigLoading.kubeconfig(at: kubeconfig, context: kubeContext) }
        return kubernetes ? try KubernetesConfigLoading.inCluster() : nil
    }

    func flowLogConfiguration() throws -> FlowLogConfiguration? {
        guard let flowLog else {
            if flowLogMaxAge != nil { throw ValidationError("--flow-log-max-age needs --flow-log") }
            return nil
        }
        guard let size = FlowHistoryArguments.size(flowLogMaxSize) else {
            throw ValidationError("invalid --flow-log-max-size \"\(flowLogMaxSize)\": expected bytes or e.g. 256MiB, 1GB")
        }
        let age = try flowLogMaxAge.map { text in
            guard let age = FlowHistoryArguments.duration(text) else {
                throw ValidationError("invalid --flow-log-max-age \"\(text)\": expected a duration such as 24h or 90m")
            }
            return age
        }
        return FlowLogConfiguration(directory: flowLog, maxTotalBytes: size, maxAge: age)
    }

    func codeTrimIntervalDuration() throws -> Duration? {
        if codeTrimInterval == "0" { return nil }
        guard let interval = FlowHistoryArguments.duration(codeTrimInterval) else {
            throw ValidationError("invalid --code-trim-interval \"\(codeTrimInterval)\": expected a duration such as 30s or 5m, or 0")
        }
        return interval
    }

    func observerListenConfiguration() throws -> ObserverListenConfiguration? {
        guard let observerListen else { return nil }
        let security: ObserverListenConfiguration.Security
        switch (observerTLSCert, observerTLSKey) {
        case (nil, nil): security = .plaintext
        case (let cert?, let key?): security = .tls(certificateFile: cert, keyFile: key, clientCAFiles: observerTLSClientCA)
        default: throw ValidationError("--observer-tls-cert and --observer-tls-key go together")
        }
        return try ObserverListenConfiguration(listen: observerListen, security: security)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Finds the compiled BPF objects: explicit flag, environment, next to the binary, installed.
enum BPFObjectDirectory {
    static func resolve(_ explicit: String?) throws -> String {
        if let explicit { return explicit }
        if let fromEnvironment = ProcessInfo.processInfo.environment["HEDGEROW_BPF_DIR"] { return fromEnvironment }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            binary.appendingPathComponent("bpf").path,
            // A SwiftPM build dir: .build/<triple>/<config>/hagent next to .build/bpf from `make`.
            binary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("bpf").path,
            "/usr/lib/hedgerow/bpf",
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/endpoint.bpf.o") }) else {
            throw ValidationError("no endpoint.bpf.o found in \(candidates.joined(separator: ", ")); run `make` or pass --bpf-dir")
        }
        return found
    }
}
