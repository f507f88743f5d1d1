import Testing

@testable import HedgerowCore

@Suite struct ServiceModelTests {
    static func build(
        _ services: [Service], _ slices: [EndpointSlice], pods: [Pod] = [], node: String? = "node-1"
    ) -> ServiceModel {
        var ids = ServiceIDAllocator()
        return ServiceModel.build(services: services, endpointSlices: slices, pods: pods, nodeName: node, ids: &ids)
    }

    static func slice(
        _ name: String, service: String = "web", namespace: String = "x", type: EndpointAddressType = .ipv4,
        ports: [EndpointPort] = [EndpointPort(port: 8080)], _ endpoints: [Endpoint]
    ) -> EndpointSlice {
        EndpointSlice(
            namespace: namespace, name: name, labels: [EndpointSlice.serviceNameLabel: service], addressType: type,
            endpoints: endpoints, ports: ports)
    }

    static func endpoint(
        _ address: String, node: String? = nil, ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil,
        pod: String? = nil
    ) -> Endpoint {
        Endpoint(
            addresses: [addr(address)], conditions: EndpointConditions(ready: ready, serving: serving, terminating: terminating),
            nodeName: node, targetRef: pod.map { ObjectReference(kind: "Pod", namespace: "x", name: $0) })
    }

    static func key(_ address: String, _ port: UInt16, _ transport: TransportProtocol = .tcp) -> FrontendKey {
        FrontendKey(address: .ip(addr(address)), port: port, protocol: transport)
    }

    static func backends(_ frontend: ServiceFrontend?) -> [String] {
        frontend?.backends.map { "\($0.address) \($0.state.rawValue)" } ?? ["<no frontend>"]
    }

    static let web = Service(
        namespace: "x", name: "web", clusterIPs: [addr("10.43.0.10")], ports: [ServicePort(port: 80, targetPort: .number(8080))],
        selector: ["app": "web"])

    // MARK: Frontends per address kind

    @Test func clusterIPFrontendWithBackendsFromSlices() throws {
        let model = Self.build(
            [Self.web],
            [Self.slice("web-1", [Self.endpoint("10.42.0.7", node: "node-2"), Self.endpoint("10.42.0.5", node: "node-1")])])
        #expect(model.frontends.count == 1)
        let frontend = try #require(model[Self.key("10.43.0.10", 80)])
        #expect(frontend.kind == .clusterIP)
        #expect(frontend.service == NamespacedName(namespace: "x", name: "web"))
        #expect(frontend.trafficPolicy == .cluster)
        #expect(frontend.sessionAffinity == .none)
        #expect(frontend.backends == [
            ServiceBackend(address: BackendAddress(ip: addr("10.42.0.5"), port: 8080), nodeName: "node-1"),
            ServiceBackend(address: BackendAddress(ip: addr("10.42.0.7"), port: 8080), nodeName: "node-2"),
        ])
        #expect(frontend.id.rawValue != 0)
        #expect(model.notes.isEmpty)
    }

    @Test func multiPortServiceMatchesSlicePortsByNameAndProtocol() {
        var service = Self.web
        service.ports = [
            ServicePort(name: "http", port: 80, targetPort: .name("web")),
            ServicePort(name: "dns", protocol: .udp, port: 53, targetPort: .number(5353)),
            ServicePort(name: "dns-tcp", protocol: .tcp, port: 53, targetPort: .number(5353)),
        ]
        let slice = Self.slice(
            "web-1",
            ports: [
                EndpointPort(name: "http", port: 8080), EndpointPort(name: "dns", port: 5353, protocol: .udp),
                EndpointPort(name: "dns-tcp", port: 5354, protocol: .tcp),
            ], [Self.endpoint("10.42.0.5")])
        let model = Self.build([service], [slice])
        #expect(model.frontends.count == 3)
        #expect(Self.backends(model[Self.key("10.43.0.10", 80)]) == ["10.42.0.5:8080 active"])
        #expect(Self.backends(model[Self.key("10.43.0.10", 53, .udp)]) == ["10.42.0.5:5353 active"])
        #expect(Self.backends(model[Self.key("10.43.0.10", 53, .tcp)]) == ["10.42.0.5:5354 active"])
        #expect(model[Self.key("10.43.0.10", 53, .udp)]?.portName == "dns")
        // Distinct frontends get distinct ids.
        #expect(Set(model.frontends.values.map(\.id)).count == 3)
    }

    @Test func namedTargetPortIsResolvedPerBackendPodWhenTheSliceHasNoNumber() {
        var service = Self.web
        service.ports = [ServicePort(name: "http", port: 80, targetPort: .name("web"))]
        let pods = [
            Pod(namespace: "x", name: "a", nodeName: "node-1", containers: [Container(ports: [ContainerPort(name: "web", port: 8080)])], ips: [addr("10.42.0.5")]),
            Pod(namespace: "x", name: "b", nodeName: "node-2", containers: [Container(ports: [ContainerPort(name: "web", port: 9090)])], ips: [addr("10.42.0.6")]),
            Pod(namespace: "x", name: "c", containers: [Container(ports: [ContainerPort(name: "web", port: 7070, protocol: .udp)])], ips: [addr("10.42.0.7")]),
        ]
        let slice = Self.slice(
            "web-1", ports: [EndpointPort(name: "http", port: nil)],
            [Self.endpoint("10.42.0.5", pod: "a"), Self.endpoint("10.42.0.6"), Self.endpoint("10.42.0.7", pod: "c")])
        let model = Self.build([service], [slice], pods: pods)
        let frontend = model[Self.key("10.43.0.10", 80)]
        #expect(Self.backends(frontend) == ["10.42.0.5:8080 active", "10.42.0.6:9090 active"])
        // The node comes from the pod when the slice does not say.
        #expect(frontend?.backends.map(\.nodeName) == ["node-1", "node-2"])
        #expect(frontend?.backends.map(\.pod) == [NamespacedName(namespace: "x", name: "a"), NamespacedName(namespace: "x", name: "b")])
        #expect(model.notes.map(\.description) == [
            "Service x/web: port http: targetPort \"web\" not found for 10.42.0.7 (pod x/c); those endpoints are skipped"
        ])
    }

    @Test func unnamedPortlessSliceEntryMeansAllPorts() {
        let slice = Self.slice("web-1", ports: [EndpointPort(port: nil)], [Self.endpoint("10.42.0.5")])
        #expect(Self.backends(Self.build([Self.web], [slice])[Self.key("10.43.0.10", 80)]) == ["10.42.0.5:8080 active"])
    }

    @Test func sliceWithoutMatchingPortsContributesNothing() {
        let slices = [
            Self.slice("web-1", ports: [EndpointPort(name: "other", port: 9000)], [Self.endpoint("10.42.0.5")]),
            Self.slice("web-2", ports: [], [Self.endpoint("10.42.0.6")]),
        ]
        let model = Self.build([Self.web], slices)
        #expect(model[Self.key("10.43.0.10", 80)]?.backends == [])
        #expect(model.notes.map(\.description) == [
            "EndpointSlice x/web-2: no ports defined, so its endpoints serve no Service port"
        ])
    }

    @Test func loadBalancerExternalIPsAndNodePorts() {
        let service = Service(
            namespace: "x", name: "web", type: .loadBalancer, clusterIPs: [addr("10.43.0.10")],
            ports: [ServicePort(port: 80, targetPort: .number(8080), nodePort: 30080)],
            externalIPs: [addr("192.0.2.10")], loadBalancerIngressIPs: [addr("198.51.100.7")])
        let model = Self.build([service], [Self.slice("web-1", [Self.endpoint("10.42.0.5")])])
        let kinds = model.sortedFrontends.map { "\($0.key) \($0.kind.rawValue)" }
        #expect(kinds == [
            "10.43.0.10:80/TCP ClusterIP", "192.0.2.10:80/TCP ExternalIP", "198.51.100.7:80/TCP LoadBalancer",
            "*:30080/TCP NodePort",
        ])
        #expect(model.frontends.values.allSatisfy { $0.backends.count == 1 })
    }

    @Test func ingressIPsOnlyCountForLoadBalancerServices() {
        var service = Self.web
        service.loadBalancerIngressIPs = [addr("198.51.100.7")]
        #expect(Self.build([service], []).frontends.keys.map(\.description) == ["10.43.0.10:80/TCP"])
    }

    @Test func dualStackServiceGetsAFrontendPerFamilyWithBackendsOfThatFamily() {
        let service = Service(
            namespace: "x", name: "web", type: .nodePort, clusterIPs: [addr("10.43.0.10"), addr("fd00:43::a")],
            ports: [ServicePort(port: 80, targetPort: .number(8080), nodePort: 30080)])
        let slices = [
            Self.slice("web-v4", [Self.endpoint("10.42.0.5")]),
            Self.slice("web-v6", type: .ipv6, [Self.endpoint("fd00:42::5")]),
        ]
        let model = Self.build([service], slices)
        #expect(model.sortedFrontends.map { "\($0.key) -> \($0.backends.map(\.address.description))" } == [
            "10.43.0.10:80/TCP -> [\"10.42.0.5:8080\"]", "[fd00:43::a]:80/TCP -> [\"[fd00:42::5]:8080\"]",
            "*:30080/TCP -> [\"10.42.0.5:8080\"]", "[*6]:30080/TCP -> [\"[fd00:42::5]:8080\"]",
        ])
    }

    // MARK: Endpoint conditions

    @Test func readyBackendsOnlyWhileAnyIsReady() {
        let slice = Self.slice("web-1", [
            Self.endpoint("10.42.0.5", ready: true),
            Self.endpoint("10.42.0.6"),  // unset: ready
            Self.endpoint("10.42.0.7", ready: false, serving: true, terminating: true),
            Self.endpoint("10.42.0.8", ready: false),
        ])
        #expect(Self.backends(Self.build([Self.web], [slice])[Self.key("10.43.0.10", 80)]) == [
            "10.42.0.5:8080 active", "10.42.0.6:8080 active",
        ])
    }

    @Test func servingTerminatingBackendsWhenNoneIsReady() {
        let slice = Self.slice("web-1", [
            Self.endpoint("10.42.0.7", ready: false, serving: true, terminating: true),
            Self.endpoint("10.42.0.8", ready: false, serving: false, terminating: true),
            Self.endpoint("10.42.0.9", ready: false),
        ])
        #expect(Self.backends(Self.build([Self.web], [slice])[Self.key("10.43.0.10", 80)]) == ["10.42.0.7:8080 terminating"])
    }

    @Test func serviceWithoutUsableBackendsKeepsItsFrontendWithNoBackends() {
        let notReady = Self.slice("web-1", [Self.endpoint("10.42.0.9", ready: false)])
        for slices in [[], [notReady]] {
            let model = Self.build([Self.web], slices)
            #expect(model[Self.key("10.43.0.10", 80)]?.backends == [])
        }
    }

    @Test func duplicateAddressesAcrossSlicesCountOnceAndReadyWins() {
        let slices = [
            Self.slice("web-1", [Self.endpoint("10.42.0.5", ready: false)]),
            Self.slice("web-2", [Self.endpoint("10.42.0.5", ready: true), Self.endpoint("10.42.0.6")]),
        ]
        #expect(Self.backends(Self.build([Self.web], slices)[Self.key("10.43.0.10", 80)]) == [
            "10.42.0.5:8080 active", "10.42.0.6:8080 active",
        ])
    }

    // MARK: Traffic policies

    static let local = Service(
        namespace: "x", name: "web", type: .nodePort, clusterIPs: [addr("10.43.0.10")],
        ports: [ServicePort(port: 80, targetPort: .number(8080), nodePort: 30080)],
        externalTrafficPolicy: .local, externalIPs: [addr("192.0.2.10")])
    static let spread = slice("web-1", [
        endpoint("10.42.0.5", node: "node-1"), endpoint("10.42.1.5", node: "node-2"),
        endpoint("10.42.1.6", node: "node-2", ready: false, serving: true, terminating: true),
    ])

    @Test func externalTrafficPolicyLocalLimitsNodePortAndExternalFrontendsOnly() {
        let model = Self.build([Self.local], [Self.spread], node: "node-1")
        #expect(Self.backends(model[Self.key("10.43.0.10", 80)]) == ["10.42.0.5:8080 active", "10.42.1.5:8080 active"])
        #expect(model[Self.key("10.43.0.10", 80)]?.trafficPolicy == .cluster)
        let nodePort = model[FrontendKey(address: .anyNodeAddress(.ipv4), port: 30080, protocol: .tcp)]
        #expect(Self.backends(nodePort) == ["10.42.0.5:8080 active"])
        #expect(nodePort?.trafficPolicy == .local)
        #expect(Self.backends(model[Self.key("192.0.2.10", 80)]) == ["10.42.0.5:8080 active"])
    }

    @Test func localPolicyFallsBackToLocalTerminatingAndElseHasNoBackends() {
        let onNode2 = Self.build([Self.local], [Self.slice("web-1", [
            Self.endpoint("10.42.0.5", node: "node-1"),
            Self.endpoint("10.42.1.6", node: "node-2", ready: false, serving: true, terminating: true),
        ])], node: "node-2")
        let nodePort = FrontendKey(address: .anyNodeAddress(.ipv4), port: 30080, protocol: .tcp)
        #expect(Self.backends(onNode2[nodePort]) == ["10.42.1.6:8080 terminating"])
        let onNode3 = Self.build([Self.local], [Self.spread], node: "node-3")
        #expect(onNode3[nodePort]?.backends == [])
        #expect(Self.build([Self.local], [Self.spread], node: nil)[nodePort]?.backends == [])
    }

    @Test func internalTrafficPolicyLocalLimitsClusterIPFrontends() {
        var service = Self.local
        service.externalTrafficPolicy = .cluster
        service.internalTrafficPolicy = .local
        let model = Self.build([service], [Self.spread], node: "node-2")
        #expect(Self.backends(model[Self.key("10.43.0.10", 80)]) == ["10.42.1.5:8080 active"])
        #expect(model[Self.key("10.43.0.10", 80)]?.trafficPolicy == .local)
        let nodePort = FrontendKey(address: .anyNodeAddress(.ipv4), port: 30080, protocol: .tcp)
        #expect(model[nodePort]?.backends.count == 2)
    }

    // MARK: Ignored services and slices

    @Test func headlessExternalNameAndUnassignedServicesAreNoted() {
        let services = [
            Service(namespace: "x", name: "db", isHeadless: true, selector: ["app": "db"]),
            Service(namespace: "x", name: "ext", type: .externalName, externalName: "db.example.com"),
            Service(namespace: "x", name: "np", type: .nodePort, ports: [ServicePort(port: 80)]),
        ]
        let model = Self.build(services, [Self.slice("db-1", service: "db", [Self.endpoint("10.42.0.5")])])
        #expect(model.frontends.isEmpty)
        #expect(model.notes.map(\.description) == [
            "Service x/db: headless service (clusterIP: None), nothing to translate",
            "Service x/ext: ExternalName service (a DNS alias), nothing to translate",
            "Service x/np: no cluster IP assigned (set spec.clusterIP); no ClusterIP frontend",
            "Service x/np: port 80 has no nodePort (no API server allocates one in standalone mode: set it); no NodePort frontend",
        ])
    }

    @Test func slicesThatCannotContributeAreNoted() {
        let slices = [
            EndpointSlice(namespace: "x", name: "orphan", endpoints: [Self.endpoint("10.42.0.5")]),
            Self.slice("gone-1", service: "gone", [Self.endpoint("10.42.0.5")]),
            Self.slice("web-fqdn", type: .fqdn, [Endpoint(addresses: [])]),
        ]
        let model = Self.build([Self.web], slices)
        #expect(model[Self.key("10.43.0.10", 80)]?.backends == [])
        #expect(model.notes.map(\.description) == [
            "EndpointSlice x/gone-1: Service x/gone does not exist, ignored",
            "EndpointSlice x/orphan: no kubernetes.io/service-name label, ignored",
            "EndpointSlice x/web-fqdn: addressType FQDN is not translated, ignored",
        ])
    }

    @Test func slicesOnlyServeTheirOwnNamespacesService() {
        let other = Self.slice("web-1", namespace: "y", [Self.endpoint("10.42.0.5")])
        let model = Self.build([Self.web], [other])
        #expect(model[Self.key("10.43.0.10", 80)]?.backends == [])
    }

    @Test func conflictingFrontendsGoToTheFirstServiceByName() {
        var a = Self.web
        a.name = "a"
        a.externalIPs = [addr("192.0.2.10")]
        var b = Self.web
        b.name = "b"
        b.clusterIPs = [addr("10.43.0.11")]
        b.externalIPs = [addr("192.0.2.10")]
        let model = Self.build([b, a], [])
        #expect(model[Self.key("192.0.2.10", 80)]?.service.name == "a")
        #expect(model.notes.map(\.description) == [
            "Service x/b: 192.0.2.10:80/TCP is already used by Service x/a; this frontend is ignored"
        ])
    }

    @Test func sessionAffinityIsCarriedToEveryFrontend() {
        var service = Self.local
        service.sessionAffinity = .clientIP(timeoutSeconds: 600)
        let model = Self.build([service], [])
        #expect(model.frontends.count == 3)
        #expect(model.frontends.values.allSatisfy { $0.sessionAffinity == .clientIP(timeoutSeconds: 600) })
    }

    @Test func frontendsOfAServiceAndMaglevTableOfAFrontend() throws {
        let model = Self.build([Self.local], [Self.spread], node: "node-1")
        #expect(model.frontends(of: NamespacedName(namespace: "x", name: "web")).count == 3)
        let nodePort = try #require(model[FrontendKey(address: .anyNodeAddress(.ipv4), port: 30080, protocol: .tcp)])
        let table = nodePort.maglevTable()
        #expect(table.entries.count == MaglevConfiguration.defaultTableSize)
        #expect(table.backendNames == ["10.42.0.5:8080"])
    }
}
