import Foundation
import HedgerowKubernetes

/// Everything `hagent run` was told. Defaults suit a node of a real cluster; the lab overrides
/// every path so that several agents can run side by side on one machine.
public struct AgentConfiguration: Sendable {
    public var nodeName: String
    /// Directory of Kubernetes manifests (standalone mode), watched for changes.
    public var manifestsDirectory: String?
    /// Cluster mode: the API server to list and watch (in-cluster config or a kubeconfig).
    public var kubernetes: KubernetesClusterConfig?
    /// bpffs directory holding this node's pinned maps: a restarted agent adopts them.
    public var pinDirectory: String
    /// Where endpoint registrations are persisted across restarts.
    public var stateDirectory: String
    /// The Agent API unix socket (root-only permissions).
    public var apiSocketPath: String
    /// Directory with the compiled BPF objects (endpoint.bpf.o, ...).
    public var bpfObjectDirectory: String
    /// cgroup2 directory for socket-level programs (used by the services issue).
    public var cgroupPath: String?
    /// The node's uplink device: NodePort and external-IP services are translated there.
    public var uplinkDevice: String?
    /// How often the manifests directory is checked for changes.
    public var manifestPollInterval: Duration
    /// Flows kept for `hflow observe` (2^n - 1, like Hubble's ring).
    public var flowCapacity: Int
    /// Also serve the Observer API on TCP (Hubble's :4244), optionally with TLS.
    public var observerListen: ObserverListenConfiguration?
    /// Prometheus /metrics and /healthz ("host:port"); nil: off.
    public var metricsListen: String?
    /// Flow history on disk (`--flow-log`); nil: off.
    public var flowLog: FlowLogConfiguration?
    /// Every policy in audit mode (`--policy-audit`): nothing is dropped by policy, what would be is reported as AUDIT.
    public var policyAudit: Bool
    /// How often to check whether code pages that ran once are worth returning to the kernel; nil: never.
    public var codeTrimInterval: Duration?

    public init(
        nodeName: String,
        manifestsDirectory: String? = nil,
        kubernetes: KubernetesClusterConfig? = nil,
        pinDirectory: String? = nil,
        stateDirectory: String? = nil,
        apiSocketPath: String? = nil,
        bpfObjectDirectory: String,
        cgroupPath: String? = nil,
        uplinkDevice: String? = nil,
        manifestPollInterval: Duration = .milliseconds(500),
        flowCapacity: Int = FlowStore.defaultCapacity,
        observerListen: ObserverListenConfiguration? = nil,
        metricsListen: String? = "127.0.0.1:9962",
        flowLog: FlowLogConfiguration? = nil,
        policyAudit: Bool = false,
        codeTrimInterval: Duration? = .seconds(30)
    ) {
        self.nodeName = nodeName
        self.manifestsDirectory = manifestsDirectory
        self.kubernetes = kubernetes
        self.pinDirectory = pinDirectory ?? "/sys/fs/bpf/hedgerow/\(nodeName)"
        self.stateDirectory = stateDirectory ?? "/var/run/hedgerow/\(nodeName)"
        self.apiSocketPath = apiSocketPath ?? "/run/hedgerow/agent.sock"
        self.bpfObjectDirectory = bpfObjectDirectory
        self.cgroupPath = cgroupPath
        self.uplinkDevice = uplinkDevice
        self.manifestPollInterval = manifestPollInterval
        self.flowCapacity = flowCapacity
        self.observerListen = observerListen
        self.metricsListen = metricsListen
        self.flowLog = flowLog
        self.policyAudit = policyAudit
        self.codeTrimInterval = codeTrimInterval
    }
}

/// Where and how much flow history the agent keeps on disk.
public struct FlowLogConfiguration: Sendable, Hashable {
    public var directory: String
    /// Oldest segments are deleted beyond this total.
    public var maxTotalBytes: Int
    /// Segments whose newest flow is older are deleted; nil: no age limit.
    public var maxAge: Duration?

    public init(directory: String, maxTotalBytes: Int = 256 << 20, maxAge: Duration? = nil) {
        self.directory = directory
        self.maxTotalBytes = maxTotalBytes
        self.maxAge = maxAge
    }
}
