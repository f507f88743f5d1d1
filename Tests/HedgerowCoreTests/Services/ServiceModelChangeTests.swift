import Testing

@testable import HedgerowCore

@Suite struct ServiceModelChangeTests {
    static func slice(_ endpoints: [Endpoint]) -> EndpointSlice {
        ServiceModelTests.slice("web-1", endpoints)
    }

    static func endpoint(_ address: String, ready: Bool? = nil, terminating: Bool? = nil, node: String? = nil) -> Endpoint {
        ServiceModelTests.endpoint(address, node: node, ready: ready, serving: terminating == true ? true : nil, terminating: terminating)
    }

    @Test func identicalModelsHaveNoChange() {
        var ids = ServiceIDAllocator()
        let build = {
            ServiceModel.build(
                services: [ServiceModelTests.web], endpointSlices: [Self.slice([Self.endpoint("10.42.0.5")])], nodeName: nil,
                ids: &ids)
        }
        let a = build()
        #expect(build().diff(from: a).isEmpty)
    }

    @Test func addedRemovedAndChangedFrontendsAndBackends() throws {
        var ids = ServiceIDAllocator()
        var service = ServiceModelTests.web
        service.externalIPs = [addr("192.0.2.10")]
        let old = ServiceModel.build(
            services: [service],
            endpointSlices: [Self.slice([Self.endpoint("10.42.0.5"), Self.endpoint("10.42.0.6"), Self.endpoint("10.42.0.7")])],
            nodeName: nil, ids: &ids)

        service.externalIPs = [addr("192.0.2.11")]
        let new = ServiceModel.build(
            services: [service],
            endpointSlices: [Self.slice([
                Self.endpoint("10.42.0.5"), Self.endpoint("10.42.0.7", node: "node-2"), Self.endpoint("10.42.0.8"),
            ])],
            nodeName: nil, ids: &ids)

        let change = new.diff(from: old)
        #expect(change.added.map(\.key.description) == ["192.0.2.11:80/TCP"])
        #expect(change.removed.map(\.key.description) == ["192.0.2.10:80/TCP"])
        #expect(change.changed.count == 1)
        let clusterIP = try #require(change.changed.first)
        #expect(clusterIP.new.key.description == "10.43.0.10:80/TCP")
        #expect(clusterIP.addedBackends.map(\.address.description) == ["10.42.0.8:8080"])
        #expect(clusterIP.removedBackends.map(\.address.description) == ["10.42.0.6:8080"])
        #expect(clusterIP.updatedBackends.map { "\($0.old.nodeName ?? "-") -> \($0.new.nodeName ?? "-")" } == ["- -> node-2"])
        #expect(clusterIP.backendsChanged && !clusterIP.frontendChanged)
    }

    @Test func stateChangeOfABackendIsAnUpdate() throws {
        var ids = ServiceIDAllocator()
        let build = { (endpoints: [Endpoint]) in
            ServiceModel.build(services: [ServiceModelTests.web], endpointSlices: [Self.slice(endpoints)], nodeName: nil, ids: &ids)
        }
        let before = build([Self.endpoint("10.42.0.5")])
        let draining = build([Self.endpoint("10.42.0.5", ready: false, terminating: true)])
        let change = try #require(draining.diff(from: before).changed.first)
        #expect(change.updatedBackends.map { "\($0.old.state.rawValue) -> \($0.new.state.rawValue)" } == ["active -> terminating"])
        let gone = build([])
        let removal = try #require(gone.diff(from: draining).changed.first)
        #expect(removal.removedBackends.count == 1 && removal.new.backends.isEmpty)
    }

    @Test func frontendPropertyChangesAreFlagged() throws {
        var ids = ServiceIDAllocator()
        var service = ServiceModelTests.web
        let before = ServiceModel.build(services: [service], endpointSlices: [], nodeName: nil, ids: &ids)
        service.sessionAffinity = .clientIP(timeoutSeconds: 30)
        let after = ServiceModel.build(services: [service], endpointSlices: [], nodeName: nil, ids: &ids)
        let change = try #require(after.diff(from: before).changed.first)
        #expect(change.frontendChanged && !change.backendsChanged)
        #expect(change.old.id == change.new.id)
    }

    @Test func removingOneServiceLeavesOthersUntouched() {
        var ids = ServiceIDAllocator()
        var api = ServiceModelTests.web
        api.name = "api"
        api.clusterIPs = [addr("10.43.0.20")]
        let slices = [
            Self.slice([Self.endpoint("10.42.0.5")]),
            ServiceModelTests.slice("api-1", service: "api", [Self.endpoint("10.42.0.5")]),
        ]
        let both = ServiceModel.build(services: [ServiceModelTests.web, api], endpointSlices: slices, nodeName: nil, ids: &ids)
        let onlyAPI = ServiceModel.build(services: [api], endpointSlices: slices, nodeName: nil, ids: &ids)
        let change = onlyAPI.diff(from: both)
        #expect(change.removed.map(\.service.name) == ["web"])
        #expect(change.added.isEmpty && change.changed.isEmpty)
    }

    // MARK: Updating one service in place

    static let api: Service = {
        var api = ServiceModelTests.web
        api.name = "api"
        api.type = .nodePort
        api.clusterIPs = [addr("10.43.0.20")]
        api.ports = [ServicePort(port: 80, targetPort: .number(8080), nodePort: 30080)]
        return api
    }()

    @Test func updatingOneServiceMatchesAFullRebuild() {
        let webSlice = Self.slice([Self.endpoint("10.42.0.5"), Self.endpoint("10.42.0.6")])
        let apiSlice = ServiceModelTests.slice("api-1", service: "api", [Self.endpoint("10.42.1.5")])
        var ids = ServiceIDAllocator()
        var model = ServiceModel.build(
            services: [ServiceModelTests.web, Self.api], endpointSlices: [webSlice, apiSlice], nodeName: nil, ids: &ids)
        let before = model

        let newAPISlice = ServiceModelTests.slice("api-1", service: "api", [
            Self.endpoint("10.42.1.5", ready: false, terminating: true), Self.endpoint("10.42.1.6"),
        ])
        let change = model.update(
            service: Self.api.namespacedName, to: Self.api, endpointSlices: [newAPISlice], nodeName: nil, ids: &ids)

        var rebuildIDs = ids
        let rebuilt = ServiceModel.build(
            services: [ServiceModelTests.web, Self.api], endpointSlices: [webSlice, newAPISlice], nodeName: nil, ids: &rebuildIDs)
        #expect(model.frontends == rebuilt.frontends)
        #expect(change == rebuilt.diff(from: before))
        #expect(change.changed.count == 2)
        #expect(change.changed.allSatisfy { $0.addedBackends.count == 1 && $0.removedBackends.count == 1 })
    }

    @Test func updatingADeletedServiceRemovesItsFrontendsAndReleasesIds() {
        var ids = ServiceIDAllocator()
        var model = ServiceModel.build(services: [ServiceModelTests.web, Self.api], endpointSlices: [], nodeName: nil, ids: &ids)
        #expect(ids.count == 3)
        let change = model.update(service: Self.api.namespacedName, to: nil, endpointSlices: [], nodeName: nil, ids: &ids)
        #expect(change.removed.map(\.key.description) == ["10.43.0.20:80/TCP", "*:30080/TCP"])
        #expect(change.added.isEmpty && change.changed.isEmpty)
        #expect(model.frontends.count == 1 && ids.count == 1)
        // Adding it back gives the frontends and notes again.
        let back = model.update(service: Self.api.namespacedName, to: Self.api, endpointSlices: [], nodeName: nil, ids: &ids)
        #expect(back.added.count == 2 && model.frontends.count == 3)
    }

    @Test func updateKeepsAnotherServicesFrontendAndReplacesNotes() {
        var ids = ServiceIDAllocator()
        var model = ServiceModel.build(services: [ServiceModelTests.web], endpointSlices: [], nodeName: nil, ids: &ids)
        var thief = Self.api
        thief.clusterIPs = [addr("10.43.0.10")]
        _ = model.update(service: thief.namespacedName, to: thief, endpointSlices: [], nodeName: nil, ids: &ids)
        #expect(model[ServiceModelTests.key("10.43.0.10", 80)]?.service.name == "web")
        #expect(model.notes.map(\.description) == [
            "Service x/api: 10.43.0.10:80/TCP is already used by Service x/web; this frontend is ignored"
        ])
        _ = model.update(service: thief.namespacedName, to: Self.api, endpointSlices: [], nodeName: nil, ids: &ids)
        #expect(model.notes.isEmpty)
    }
}
