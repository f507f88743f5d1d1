import Testing

@testable import HedgerowCore

/// The agent's fast path: a cluster change recomputes only the services it touches. Every case
/// checks the result against a full build of the new cluster, and that untouched services are
/// not recomputed.
@Suite struct ServiceModelClusterUpdateTests {
    typealias T = ServiceModelTests

    static let api: Service = {
        var api = T.web
        api.name = "api"
        api.clusterIPs = [addr("10.43.0.20")]
        api.ports = [ServicePort(name: "http", port: 80, targetPort: .name("http"))]
        return api
    }()

    static let pods = [
        Pod(namespace: "x", name: "a", labels: ["app": "api"], nodeName: "node-1",
            containers: [Container(ports: [ContainerPort(name: "http", port: 8080)])], ips: [addr("10.42.0.5")]),
        Pod(namespace: "x", name: "b", labels: ["app": "web"], nodeName: "node-2", ips: [addr("10.42.0.6")]),
    ]

    /// web: numbered slice port; api: a hand-written slice without a number, resolved by pod x/a's named port.
    static let cluster = ClusterState(
        namespaces: [], pods: pods, services: [T.web, api],
        endpointSlices: [
            T.slice("web-1", [T.endpoint("10.42.0.6", node: "node-2")]),
            T.slice("api-1", service: "api", ports: [EndpointPort(name: "http", port: nil)], [T.endpoint("10.42.0.5", pod: "a")]),
        ])

    /// Applies `after` to a model built from `before` the fast way; returns the touched services
    /// and whether the result equals a full build of `after`.
    static func fastPath(from before: ClusterState, to after: ClusterState) -> (touched: Set<String>, matches: Bool, change: ServiceModelChange) {
        var ids = ServiceIDAllocator()
        var model = ServiceModel.build(
            services: before.sortedServices, endpointSlices: before.sortedEndpointSlices, pods: before.sortedPods,
            nodeName: "node-1", ids: &ids)
        let touched = ServiceModel.servicesAffected(by: after.diff(from: before), before: before, after: after)
        let change = model.update(services: touched, in: after, nodeName: "node-1", ids: &ids)
        var fullIDs = ids
        let full = ServiceModel.build(
            services: after.sortedServices, endpointSlices: after.sortedEndpointSlices, pods: after.sortedPods,
            nodeName: "node-1", ids: &fullIDs)
        return (Set(touched.map(\.name)), model.frontends == full.frontends && model.notes == full.notes, change)
    }

    static func with(_ cluster: ClusterState, slices: [EndpointSlice]? = nil, services: [Service]? = nil, pods: [Pod]? = nil) -> ClusterState {
        ClusterState(
            namespaces: [], pods: pods ?? Array(cluster.pods.values), services: services ?? Array(cluster.services.values),
            endpointSlices: slices ?? Array(cluster.endpointSlices.values))
    }

    @Test func anEndpointChangeTouchesOnlyItsService() {
        let slices = Self.cluster.endpointSlices.values.map { slice -> EndpointSlice in
            guard slice.name == "web-1" else { return slice }
            var scaled = slice
            scaled.endpoints.append(T.endpoint("10.42.0.7", node: "node-1"))
            return scaled
        }
        let result = Self.fastPath(from: Self.cluster, to: Self.with(Self.cluster, slices: slices))
        #expect(result.touched == ["web"])
        #expect(result.matches)
        #expect(result.change.changed.count == 1 && result.change.changed[0].addedBackends.map(\.address.description) == ["10.42.0.7:8080"])
    }

    @Test func addedChangedAndDeletedServicesAndASliceMovingBetweenServices() {
        var web = T.web
        web.ports = [ServicePort(port: 81, targetPort: .number(8080))]
        var db = T.web
        db.name = "db"
        db.clusterIPs = [addr("10.43.0.30")]
        // web-1 now belongs to db; api is gone.
        let slices = Self.cluster.endpointSlices.values.map { slice -> EndpointSlice in
            var moved = slice
            if slice.name == "web-1" { moved.labels = [EndpointSlice.serviceNameLabel: "db"] }
            return moved
        }
        let result = Self.fastPath(from: Self.cluster, to: Self.with(Self.cluster, slices: slices, services: [web, db]))
        #expect(result.touched == ["web", "db", "api"])
        #expect(result.matches)
        #expect(result.change.added.map(\.key.description).sorted() == ["10.43.0.10:81/TCP", "10.43.0.30:80/TCP"])
    }

    @Test func aPodWhosePortChangedTouchesTheServicesThatResolveThroughIt() {
        var pods = Self.pods
        pods[0].containers = [Container(ports: [ContainerPort(name: "http", port: 9090)])]
        let result = Self.fastPath(from: Self.cluster, to: Self.with(Self.cluster, pods: pods))
        #expect(result.touched == ["api"])
        #expect(result.matches)
        #expect(result.change.changed.first?.addedBackends.map(\.address.description) == ["10.42.0.5:9090"])
    }

    @Test func aRelabelledPodTouchesNothing() {
        var pods = Self.pods
        pods[1].labels = ["app": "web", "version": "2"]
        let result = Self.fastPath(from: Self.cluster, to: Self.with(Self.cluster, pods: pods))
        #expect(result.touched.isEmpty && result.change.isEmpty)
    }

    @Test func aPodFoundByAddressTouchesTheServiceOfThatAddress() {
        // A slice endpoint without targetRef is matched to pods by address: removing the pod
        // leaves its named port unresolved.
        let slices = Self.cluster.endpointSlices.values.map { slice -> EndpointSlice in
            guard slice.name == "api-1" else { return slice }
            var bare = slice
            bare.endpoints = [T.endpoint("10.42.0.5")]
            return bare
        }
        let before = Self.with(Self.cluster, slices: slices)
        let result = Self.fastPath(from: before, to: Self.with(before, pods: [Self.pods[1]]))
        #expect(result.touched == ["api"])
        #expect(result.matches)
        #expect(result.change.changed.first?.removedBackends.count == 1)
    }
}
