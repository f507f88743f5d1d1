import HedgerowCore

/// N ClusterIP services, the same for both sides: service i is `bench/svc-<i>:http` on
/// 10.96.<i/250>.<i%250+1>:80 with three backends of its own in 10.128.0.0/16 (port 8080),
/// all answered by the one server. The last-generated service is the one the client calls:
/// for iptables it is the last rule of KUBE-SERVICES, the worst case of its linear scan.
struct Workload {
    static let backendsPerService = 3

    let frontends: [ServiceFrontend]

    init(services: Int) {
        precondition(services <= 10_000, "10.128.0.0/16 holds the backends of at most 21,845 services; VIPs fit 10,000 under 10.96.0.0/16")
        frontends = (0..<services).map { index in
            let vip = IPAddress("10.96.\(index / 250).\(index % 250 + 1)")!
            let backends = (0..<Self.backendsPerService).map { slot in
                ServiceBackend(address: BackendAddress(ip: Self.backendAddress(index * Self.backendsPerService + slot + 1), port: Topology.backendPort))
            }
            return ServiceFrontend(
                key: FrontendKey(address: .ip(vip), port: 80, protocol: .tcp), kind: .clusterIP,
                service: NamespacedName(namespace: "bench", name: "svc-\(index)"), portName: "http",
                id: ServiceID(rawValue: UInt16(index + 1)), backends: backends.sorted())
        }
    }

    private init(frontends: [ServiceFrontend]) { self.frontends = frontends }

    /// 10.128.0.0 + offset.
    static func backendAddress(_ offset: Int) -> IPAddress {
        IPAddress("10.128.\(offset / 256).\(offset % 256)")!
    }

    var model: ServiceModel { ServiceModel(frontends: frontends) }
    var target: ServiceFrontend { frontends[frontends.count - 1] }

    /// One endpoint change: the target service's first backend replaced by a new pod (an
    /// address no service used, still answered by the server).
    func replacingOneEndpoint() -> Workload {
        var changed = frontends
        var target = changed[changed.count - 1]
        target.backends[0] = ServiceBackend(address: BackendAddress(ip: IPAddress("10.128.250.1")!, port: Topology.backendPort))
        target.backends.sort()
        changed[changed.count - 1] = target
        return Workload(frontends: changed)
    }
}
