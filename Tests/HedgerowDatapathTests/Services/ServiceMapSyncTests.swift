import CHedgerowABI
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// The sync against real (pinned) maps, without attaching anything.
@Suite("Service map sync", .serialized) struct ServiceMapSyncTests {
    typealias M = ServiceTestModels

    /// Loads sock.bpf.o on fresh pins; removes them afterwards.
    func withDatapath(_ body: (ServiceDatapath, String) throws -> Void) throws {
        let pinRoot = "/sys/fs/bpf/" + UniqueName.make("hsm")
        defer { try? BPFPin.removeTree(pinRoot) }
        try body(try ServiceDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot, nodeName: "n1"), pinRoot)
    }

    func maps(_ pinRoot: String) throws -> ServiceMaps {
        ServiceMaps(
            services: try .openPinned("\(pinRoot)/hedgerow_services"), backends: try .openPinned("\(pinRoot)/hedgerow_backends"),
            revNAT: try .openPinned("\(pinRoot)/hedgerow_rev_nat"), affinityMatch: try .openPinned("\(pinRoot)/hedgerow_affinity_match"),
            maglev: MaglevTableSync(outer: try .openPinned("\(pinRoot)/hedgerow_maglev"), configuration: .default))
    }

    /// 10,000 services applied at once, then one endpoint change; prints how long each took
    /// (the numbers are a measurement, not an assertion).
    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func tenThousandServicesThenOneEndpointChange() throws {
        try Privileged.require()
        try withDatapath { datapath, pinRoot in
            var model = M.many(10_000, backendsEach: 2)
            let clock = ContinuousClock()
            var report = ServiceSyncReport()
            let full = try clock.measure { report = try datapath.sync.apply(model) }
            let maps = try maps(pinRoot)
            #expect(try maps.services.keys().count == 30_000)
            #expect(try maps.backends.keys().count == 20_000)
            #expect(try maps.revNAT.keys().count == 10_000)
            #expect(report.frontendsChanged == 10_000 && report.backendsChanged == 20_000)

            // The last service loses one backend and gains another.
            let key = M.frontendKey("10.96.39.250", 80)
            var frontend = try #require(model[key])
            frontend.backends = [frontend.backends[0], M.backend("10.200.0.1")]
            let changed = ServiceModel(frontends: Array(model.frontends.values.filter { $0.key != key }) + [frontend])
            let change = changed.diff(from: model)
            model = changed
            let single = try clock.measure { report = try datapath.sync.apply(change) }
            #expect(report.writes == 3)  // new backend, its slot, the old backend's deletion
            let slot = try #require(try maps.services.lookup(ServiceMapCodec.serviceKey(key, slot: 2)))
            #expect(try maps.backends.lookup(slot.backend_id).map { ABIAddress.address($0.addr) } == IPAddress("10.200.0.1"))
            let resync = try clock.measure { report = try datapath.sync.apply(model) }
            #expect(report.writes == 0)
            // A restarted agent reads the pinned maps back and finds nothing to do.
            var restarted: ServiceDatapath?
            let adoption = try clock.measure {
                restarted = try ServiceDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot, nodeName: "n1")
            }
            #expect(restarted?.sync.plan(for: model).isEmpty == true)
            print("service sync: 10,000 services (30,000 service entries, 20,000 backends) in \(full); "
                  + "one endpoint change in \(single); full resync without changes in \(resync); "
                  + "adoption by a restarted agent in \(adoption)")
        }
    }

    @Test(.enabled(if: Privileged.shouldRun)) func adoptsPinnedMapsAndDropsStrays() throws {
        try Privileged.require()
        try withDatapath { datapath, pinRoot in
            let web = M.frontendKey("10.96.0.10", 80)
            let model = M.model([M.frontend(web, id: 7, [M.backend("10.0.1.1"), M.backend("10.0.1.2")], affinity: 60)])
            try datapath.sync.apply(model)
            let maps = try maps(pinRoot)
            // A slot beyond the count, a rev-NAT entry and an affinity match nobody owns.
            try maps.services.update(ServiceMapCodec.serviceKey(web, slot: 9), ServiceMapCodec.slotValue(1))
            try maps.revNAT.update(99, ServiceMapCodec.revNATValue(web))
            try maps.affinityMatch.update(hedgerow_affinity_match_key(backend_id: 1, service_id: 99, _pad: 0), 0)

            let restarted = try ServiceDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot, nodeName: "n1")
            #expect(restarted.sync.image == datapath.sync.image)
            #expect(restarted.sync.plan(for: model).isEmpty)
            #expect(try maps.services.lookup(ServiceMapCodec.serviceKey(web, slot: 9)) == nil)
            #expect(try maps.revNAT.keys() == [7])
            #expect(try Set(maps.affinityMatch.keys().map(\.service_id)) == [7])
            // New backends after a restart never take an id in use.
            #expect(restarted.sync.image.nextBackendID == 3)
        }
    }

    /// External frontends get a Maglev table naming their backends in (near) equal shares; a
    /// backend change swaps in a new table; a frontend that goes takes its table along.
    @Test(.enabled(if: Privileged.shouldRun)) func maglevTablesFollowExternalFrontends() throws {
        try Privileged.require()
        try withDatapath { datapath, _ in
            let lb = M.frontendKey("192.0.2.10", 80)
            let backends = (1...3).map { M.backend("10.0.3.\($0)") }
            try datapath.sync.apply(M.model([M.frontend(lb, id: 40, backends, kind: .loadBalancer),
                                             M.frontend(M.frontendKey("10.96.0.40", 80), id: 41, backends)]))
            let ids = Set(datapath.sync.image.frontends[lb]!.backends)
            let table = try #require(try datapath.sync.maglevTable(serviceID: 40))
            #expect(table.count == MaglevConfiguration.defaultTableSize)
            let shares = Dictionary(grouping: table, by: { $0 }).mapValues(\.count)
            #expect(Set(shares.keys) == ids)
            #expect(shares.values.allSatisfy { abs($0 - MaglevConfiguration.defaultTableSize / 3) <= 1 })
            // The same table as the pure model computes, named by backend id.
            let expected = MaglevTable(backendNames: backends.map(\.address.description)).entries
            let idByName = Dictionary(uniqueKeysWithValues: datapath.sync.image.backends.map { ($0.value.key.address.description, $0.key) })
            #expect(table == expected.map { idByName[backends[Int($0)].address.description]! })
            #expect(try datapath.sync.maglevTable(serviceID: 41) == nil)  // ClusterIP: no table

            try datapath.sync.apply(M.model([M.frontend(lb, id: 40, Array(backends.dropLast()), kind: .loadBalancer)]))
            let smaller = try #require(try datapath.sync.maglevTable(serviceID: 40))
            #expect(Set(smaller).count == 2 && !Set(smaller).contains(idByName[backends[2].address.description]!))
            try datapath.sync.apply(M.model([]))
            #expect(try datapath.sync.maglevTable(serviceID: 40) == nil)
        }
    }

    @Test func codecRoundTrip() {
        let nodePort = FrontendKey(address: .anyNodeAddress(.ipv6), port: 30080, protocol: .tcp)
        let model = M.model([
            M.frontend(M.frontendKey("10.96.0.10", 80), id: 1, [M.backend("10.0.1.1"), M.backend("10.0.1.2", node: "n1")], affinity: 5),
            M.frontend(M.frontendKey("fd00::a", 53, .udp), id: 2, [M.backend("fd00::1", 53)]),
            M.frontend(nodePort, id: 3, [M.backend("fd00::1")], kind: .nodePort),
            M.frontend(M.frontendKey("10.96.0.11", 80), id: 4, []),
        ])
        let image = { var state = ServiceSyncState(); state.commit(ServiceSyncPlan(state: state, model: model, nodeName: "n1")); return state.image }()
        var services: [(key: hedgerow_service_key, value: hedgerow_service_value)] = []
        for (key, entry) in image.frontends {
            services.append((ServiceMapCodec.serviceKey(key, slot: 0), ServiceMapCodec.frontendValue(entry.header, backendCount: UInt16(entry.backends.count))))
            for (index, backend) in entry.backends.enumerated() {
                services.append((ServiceMapCodec.serviceKey(key, slot: UInt16(index + 1)), ServiceMapCodec.slotValue(backend)))
            }
        }
        let backends = image.backends.map { (key: $0.key, value: ServiceMapCodec.backendValue($0.value)) }
        let decoded = ServiceMapCodec.image(services: services, backends: backends)
        #expect(decoded.strays.isEmpty)
        #expect(decoded.image == image)
        #expect(ServiceMapCodec.serviceKey(M.frontendKey("10.96.0.10", 80), slot: 0).port == UInt16(80).bigEndian)
    }
}
