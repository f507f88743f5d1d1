/// What a chained plugin needs from its `prevResult`: the host side of the pod's link, the
/// pod's interface and its addresses.
extension CNIResult {
    /// Interfaces outside any sandbox, e.g. the host end of `ptp`'s veth pair.
    public var hostInterfaces: [Interface] { interfaces.filter { !$0.isInSandbox } }

    /// Index of the container interface: named `ifName`, in sandbox `netns`. Paths are compared
    /// with /var/run and /run taken as the same directory (one links to the other).
    public func containerInterfaceIndex(netns: String, ifName: String) -> Int? {
        let wanted = Self.normalizedNetnsPath(netns)
        return interfaces.firstIndex {
            $0.name == ifName && $0.isInSandbox && Self.normalizedNetnsPath($0.sandbox ?? "") == wanted
        }
    }

    public func containerInterface(netns: String, ifName: String) -> Interface? {
        containerInterfaceIndex(netns: netns, ifName: ifName).map { interfaces[$0] }
    }

    /// The addresses of the container interface. Results whose addresses carry no interface
    /// index at all (IPAM-style) give all their addresses.
    public func podIPs(netns: String, ifName: String) -> [IPConfig] {
        if !ips.isEmpty && ips.allSatisfy({ $0.interface == nil }) { return ips }
        guard let index = containerInterfaceIndex(netns: netns, ifName: ifName) else { return [] }
        return ips.filter { $0.interface == index }
    }

    private static func normalizedNetnsPath(_ path: String) -> String {
        path.hasPrefix("/var/run/") ? String(path.dropFirst("/var".count)) : path
    }
}
