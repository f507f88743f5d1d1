import HedgerowAPI
import HedgerowCNI

/// Builds the agent's registration from what the runtime and the previous plugin said.
enum EndpointRegistration {
    static func request(
        invocation: CNIEnvironment, previous: CNIResult
    ) throws(CNIError) -> Hedgerow_Agent_V1_RegisterEndpointRequest {
        guard let namespace = invocation.args.podNamespace, let pod = invocation.args.podName else {
            throw CNIError(.invalidEnvironmentVariables,
                "CNI_ARGS must name the pod (K8S_POD_NAMESPACE and K8S_POD_NAME)")
        }
        let netns = invocation.netns ?? ""
        let ifName = invocation.ifName ?? ""
        guard let host = previous.hostInterfaces.first else {
            throw CNIError(.invalidNetworkConfig,
                "prevResult has no host-side interface (an interface without a sandbox); chain after ptp or bridge")
        }
        let ips = previous.podIPs(netns: netns, ifName: ifName).map(\.ip)
        guard !ips.isEmpty else {
            throw CNIError(.invalidNetworkConfig, "prevResult assigns no IP address to \(ifName) in \(netns)")
        }
        return .with {
            $0.containerID = invocation.containerID ?? ""
            $0.namespace = namespace
            $0.podName = pod
            $0.interfaceName = host.name
            $0.containerInterface = ifName
            $0.netns = netns
            $0.ips = ips
        }
    }
}
