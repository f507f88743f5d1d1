import HedgerowCore
import Testing

@testable import HedgerowDatapath

@Suite struct ServiceSyncPlanTests {
    typealias M = ServiceTestModels
    let web = M.frontendKey("10.96.0.10", 80)
    let dns = M.frontendKey("10.96.0.53", 53, .udp)

    /// Plans `model` against `state` and records it as written.
    @discardableResult
    func sync(_ model: ServiceModel, _ state: inout ServiceSyncState, node: String? = nil) -> ServiceSyncPlan {
        let plan = ServiceSyncPlan(state: state, model: model, nodeName: node)
        state.commit(plan)
        return plan
    }

    func state(_ model: ServiceModel, node: String? = nil) -> ServiceSyncState {
        var state = ServiceSyncState()
        sync(model, &state, node: node)
        return state
    }

    @Test func firstSyncWritesBackendsThenSlotsThenFrontends() {
        var state = ServiceSyncState()
        let plan = sync(M.model([M.frontend(web, id: 7, [M.backend("10.0.1.1"), M.backend("10.0.1.2")])]), &state)
        #expect(plan.writes == [
            .upsertBackend(1, BackendEntry(key: BackendKey(address: BackendAddress(ip: IPAddress("10.0.1.1")!, port: 8080), protocol: .tcp))),
            .upsertBackend(2, BackendEntry(key: BackendKey(address: BackendAddress(ip: IPAddress("10.0.1.2")!, port: 8080), protocol: .tcp))),
            .upsertRevNAT(serviceID: 7, web),
            .upsertSlot(web, slot: 1, 1),
            .upsertSlot(web, slot: 2, 2),
            .upsertFrontend(web, FrontendHeader(serviceID: 7, flags: []), backendCount: 2),
        ])
        #expect(state.image.nextBackendID == 3)
    }

    @Test func unchangedModelNeedsNoWrites() {
        let model = M.many(20, backendsEach: 3)
        var current = state(model)
        #expect(sync(model, &current).isEmpty)
    }

    @Test func removingOneBackendMovesTheLastSlotIntoTheGap() {
        let a = M.backend("10.0.1.1"), b = M.backend("10.0.1.2"), c = M.backend("10.0.1.3")
        var current = state(M.model([M.frontend(web, id: 7, [a, b, c])]))
        let plan = sync(M.model([M.frontend(web, id: 7, [a, c])]), &current)
        #expect(current.image.frontends[web]?.backends == [1, 3])
        #expect(plan.writes == [
            .upsertSlot(web, slot: 2, 3),
            .upsertFrontend(web, FrontendHeader(serviceID: 7, flags: []), backendCount: 2),
            .deleteSlot(web, slot: 3),
            .deleteBackend(2),
        ])
    }

    @Test func addingOneBackendIsThreeWrites() {
        let a = M.backend("10.0.1.1"), b = M.backend("10.0.1.2")
        var current = state(M.model([M.frontend(web, id: 7, [a])]))
        let plan = sync(M.model([M.frontend(web, id: 7, [a, b])]), &current)
        #expect(plan.writes.count == 3)
        #expect(plan.writes.first == .upsertBackend(2, BackendEntry(key: BackendKey(address: b.address, protocol: .tcp))))
        #expect(plan.writes.last == .upsertFrontend(web, FrontendHeader(serviceID: 7, flags: []), backendCount: 2))
    }

    @Test func replacingABackendReusesItsSlot() {
        let a = M.backend("10.0.1.1"), b = M.backend("10.0.1.2"), c = M.backend("10.0.1.3")
        var current = state(M.model([M.frontend(web, id: 7, [a, b])]))
        // New backend, its slot, then the old backend goes; the count never changed.
        #expect(sync(M.model([M.frontend(web, id: 7, [a, c])]), &current).writes == [
            .upsertBackend(3, BackendEntry(key: BackendKey(address: c.address, protocol: .tcp))),
            .upsertSlot(web, slot: 2, 3),
            .deleteBackend(2),
        ])
        #expect(current.image.frontends[web]?.backends == [1, 3])
    }

    @Test func aBackendSharedByTwoServicesStaysWhileOneUsesIt() {
        let shared = M.backend("10.0.1.1"), other = M.backend("10.0.1.2")
        let second = M.frontendKey("10.96.0.11", 80)
        var current = state(M.model([M.frontend(web, id: 7, [shared]), M.frontend(second, id: 8, [shared, other])]))
        #expect(current.image.backends.count == 2)
        let plan = sync(M.model([M.frontend(web, id: 7, []), M.frontend(second, id: 8, [shared, other])]), &current)
        #expect(plan.writes == [
            .upsertFrontend(web, FrontendHeader(serviceID: 7, flags: .noBackends), backendCount: 0),
            .deleteSlot(web, slot: 1),
        ])
        // Once the second service drops it too, it goes.
        #expect(sync(M.model([M.frontend(second, id: 8, [other])]), &current).writes.contains(.deleteBackend(1)))
    }

    @Test func sameAddressOverTwoProtocolsIsTwoBackends() {
        let model = M.model([M.frontend(web, id: 7, [M.backend("10.0.1.1", 53)]), M.frontend(dns, id: 8, [M.backend("10.0.1.1", 53)])])
        #expect(state(model).image.backends.count == 2)
    }

    @Test func flagsFollowTheFrontend() {
        let node = M.frontendKey("10.96.0.10", 30080)
        let nodePort = FrontendKey(address: .anyNodeAddress(.ipv4), port: 30080, protocol: .tcp)
        let model = M.model([
            M.frontend(web, id: 1, [M.backend("10.0.1.1", node: "n1"), M.backend("10.0.1.2", node: "n2", state: .terminating)],
                       affinity: 600),
            M.frontend(node, id: 2, [], kind: .externalIP, policy: .local),
            M.frontend(nodePort, id: 3, [M.backend("10.0.1.1", node: "n1")], kind: .nodePort),
        ])
        let desired = state(model, node: "n1").image
        #expect(desired.frontends[web]?.header == FrontendHeader(serviceID: 1, flags: .affinity, affinityTimeoutSeconds: 600))
        #expect(desired.frontends[node]?.header.flags == [.noBackends, .local, .external])
        #expect(desired.frontends[nodePort]?.header.flags == [.external, .nodePort])
        let flags = Dictionary(uniqueKeysWithValues: desired.backends.values.map { ($0.key.address.ip.description, $0.flags) })
        #expect(flags == ["10.0.1.1": .local, "10.0.1.2": .terminating])
        #expect(desired.affinityMatches == [AffinityMatch(backend: 1, serviceID: 1), AffinityMatch(backend: 2, serviceID: 1)])
    }

    @Test func backendIDsAreNotReused() {
        let a = M.backend("10.0.1.1"), b = M.backend("10.0.1.2")
        var current = state(M.model([M.frontend(web, id: 7, [a, b])]))
        sync(M.model([M.frontend(web, id: 7, [a])]), &current)
        sync(M.model([M.frontend(web, id: 7, [a, b])]), &current)
        #expect(current.image.frontends[web]?.backends == [1, 3])
    }

    @Test func removedFrontendGoesSlotZeroFirstAndTakesItsRevNAT() {
        var current = state(M.model([M.frontend(web, id: 7, [M.backend("10.0.1.1")], affinity: 30)]))
        #expect(sync(M.model([]), &current).writes == [
            .deleteFrontend(web), .deleteSlot(web, slot: 1), .deleteAffinityMatch(AffinityMatch(backend: 1, serviceID: 7)),
            .deleteRevNAT(serviceID: 7), .deleteBackend(1),
        ])
        #expect(current.image == ServiceMapImage(nextBackendID: 2))
    }

    @Test func aChangeTouchesOnlyItsFrontends() {
        let before = M.many(1000, backendsEach: 2)
        var current = state(before)
        let key = M.frontendKey("10.96.0.1", 80)
        var frontend = before[key]!
        frontend.backends.append(M.backend("10.200.0.1"))
        var after = before
        after = ServiceModel(frontends: Array(before.frontends.values.filter { $0.key != key }) + [frontend])
        let plan = ServiceSyncPlan(state: current, change: after.diff(from: before), nodeName: nil)
        #expect(plan.writes.count == 3 && plan.frontendUpdates.count == 1)
        current.commit(plan)
        #expect(ServiceSyncPlan(state: current, model: after, nodeName: nil).isEmpty)
    }

    /// Random transitions between models sharing a pool of backends, planned in full or from the
    /// model's change, alternately: after every single write a lookup finds whole frontends
    /// only, and the maps end up holding the state.
    @Test func noWriteOrderExposesAMissingBackend() {
        var random = SplitMix(seed: 0x5EED)
        let keys = (0..<6).map { M.frontendKey("10.96.1.\($0 + 1)", 80) }
        let pool = (0..<10).map { M.backend("10.0.2.\($0 + 1)") }
        var maps = SimulatedServiceMaps()
        var state = ServiceSyncState()
        var model = ServiceModel()
        var totalWrites = 0
        for round in 0..<300 {
            let frontends = keys.enumerated().compactMap { index, key -> ServiceFrontend? in
                guard random.next() % 4 != 0 else { return nil }
                let backends = pool.filter { _ in random.next() % 3 == 0 }
                return M.frontend(key, id: UInt16(index + 1), backends, affinity: random.next() % 2 == 0 ? 60 : nil,
                                  kind: random.next() % 3 == 0 ? .loadBalancer : .clusterIP)
            }
            let next = M.model(frontends)
            let plan = round % 2 == 0
                ? ServiceSyncPlan(state: state, model: next, nodeName: nil)
                : ServiceSyncPlan(state: state, change: next.diff(from: model), nodeName: nil)
            for write in plan.writes {
                maps.apply(write)
                #expect(maps.brokenLookups.isEmpty, "after \(write): \(maps.brokenLookups)")
            }
            totalWrites += plan.writes.count
            state.commit(plan)
            model = next
            #expect(maps.image.frontends == state.image.frontends)
            #expect(maps.image.backends == state.image.backends)
            #expect(maps.revNAT == state.image.revNAT && maps.matches == state.image.affinityMatches)
            let tables = state.image.frontends.values.filter(ServiceSyncPlan.hasMaglevTable).map { ($0.header.serviceID, Set($0.backends)) }
            #expect(maps.tables.mapValues(Set.init) == Dictionary(uniqueKeysWithValues: tables))
            #expect(maps.slotCount == state.image.frontends.values.reduce(0) { $0 + $1.backends.count })
            #expect(ServiceSyncPlan(state: state, model: next, nodeName: nil).isEmpty)
        }
        #expect(totalWrites > 300)
    }

    @Test func arrangeKeepsSlotsAndFillsGapsFromTheEnd() {
        #expect(ServiceMapLayout.arrange([1, 2, 3], previous: []) == [1, 2, 3])
        #expect(ServiceMapLayout.arrange([1, 3, 4], previous: [1, 2, 3]) == [1, 4, 3])
        #expect(ServiceMapLayout.arrange([4], previous: [1, 2, 3]) == [4])
        #expect(ServiceMapLayout.arrange([3], previous: [1, 2, 3]) == [3])
        #expect(ServiceMapLayout.arrange([1, 5], previous: [1, 2, 3, 4, 5]) == [1, 5])
        #expect(ServiceMapLayout.arrange([2, 4], previous: [1, 2, 3, 4, 5]) == [4, 2])
    }
}
