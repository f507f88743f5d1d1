import Foundation
import Testing

@testable import HedgerowCore

@Suite struct ServiceIDAllocatorTests {
    static func keys(_ count: Int) -> [FrontendKey] {
        (0..<count).map { FrontendKey("10.43.\($0 / 250).\($0 % 250 + 1):80/TCP")! }
    }

    @Test func idsAreStableAndDistinct() throws {
        var allocator = ServiceIDAllocator()
        let keys = Self.keys(1000)
        let first = keys.map { allocator.id(for: $0)! }
        #expect(Set(first).count == 1000)
        #expect(!first.contains(ServiceID(rawValue: 0)))
        #expect(keys.map { allocator.id(for: $0)! } == first)
        #expect(allocator.count == 1000)
    }

    /// Without saved state, a node derives the same ids from the same keys, in any order (up to
    /// collisions, which probe in key order here).
    @Test func idsDeriveFromKeysNotFromOrder() {
        var forward = ServiceIDAllocator()
        var backward = ServiceIDAllocator()
        let keys = Self.keys(200)
        for key in keys { _ = forward.id(for: key) }
        for key in keys.reversed() { _ = backward.id(for: key) }
        let agreeing = keys.filter { forward.id(for: $0) == backward.id(for: $0) }.count
        #expect(agreeing >= 198)
    }

    @Test func savedStateKeepsEveryIdAcrossRestarts() throws {
        var allocator = ServiceIDAllocator()
        for key in Self.keys(300) { _ = allocator.id(for: key) }
        let data = try JSONEncoder().encode(allocator)
        let restored = try JSONDecoder().decode(ServiceIDAllocator.self, from: data)
        #expect(restored == allocator)
        var next = restored
        // A new key after the restart never takes an id in use.
        let fresh = next.id(for: FrontendKey("[fd00::1]:443/TCP")!)!
        #expect(!allocator.assignments.values.contains(fresh))
    }

    @Test func persistedFormIsReadable() throws {
        var allocator = ServiceIDAllocator(range: 1...100)
        let id = allocator.id(for: FrontendKey("*:30080/UDP")!)!
        let json = String(decoding: try JSONEncoder().encode(allocator), as: UTF8.self)
        #expect(json.contains("\"*:30080\\/UDP\":\(id.rawValue)") || json.contains("\"*:30080/UDP\":\(id.rawValue)"))
        #expect(json.contains("\"range\":[1,100]"))
    }

    @Test func corruptStateIsRefused() {
        let duplicate = #"{"range":[1,10],"assignments":{"10.0.0.1:80/TCP":3,"10.0.0.2:80/TCP":3}}"#
        let outOfRange = #"{"range":[1,10],"assignments":{"10.0.0.1:80/TCP":11}}"#
        let badKey = #"{"range":[1,10],"assignments":{"10.0.0.1:80":1}}"#
        let badRange = #"{"range":[0,10],"assignments":{}}"#
        for json in [duplicate, outOfRange, badKey, badRange] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ServiceIDAllocator.self, from: Data(json.utf8)) }
        }
    }

    @Test func releasedIdsAreFreedAndExhaustionIsReported() {
        var allocator = ServiceIDAllocator(range: 1...3)
        let keys = Self.keys(4)
        let ids = keys.prefix(3).map { allocator.id(for: $0) }
        #expect(Set(ids.compactMap { $0?.rawValue }) == [1, 2, 3])
        #expect(allocator.id(for: keys[3]) == nil)
        allocator.retainOnly([keys[0], keys[2]])
        #expect(allocator.count == 2)
        #expect(allocator.id(for: keys[3]) == ids[1])
    }

    @Test func frontendKeyText() throws {
        for text in ["10.96.0.10:53/UDP", "[fd00::a]:80/TCP", "*:30080/TCP", "[*6]:30080/SCTP"] {
            #expect(FrontendKey(text)?.description == text)
        }
        for bad in ["10.96.0.10:53", "10.96.0.10:0/TCP", "fd00::a:80/TCP", "[10.0.0.1]:80/TCP", "*6:80/TCP", "[*]:80/TCP", "x:80/TCP", "10.0.0.1:80/tcp"] {
            #expect(FrontendKey(bad) == nil, "\(bad)")
        }
        let key = try #require(FrontendKey("[*6]:30080/SCTP"))
        #expect(key.address == .anyNodeAddress(.ipv6) && key.port == 30080 && key.protocol == .sctp)
        // IPs sort before node ports, IPv4 before IPv6.
        let sorted = ["*:1/TCP", "[fd00::1]:1/TCP", "10.0.0.2:1/TCP", "10.0.0.1:2/TCP", "[*6]:1/TCP"].map { FrontendKey($0)! }.sorted()
        #expect(sorted.map(\.description) == ["10.0.0.1:2/TCP", "10.0.0.2:1/TCP", "[fd00::1]:1/TCP", "*:1/TCP", "[*6]:1/TCP"])
    }

    @Test func modelBuildingKeepsIdsForUnchangedFrontends() {
        var ids = ServiceIDAllocator()
        let web = ServiceModelTests.web
        var api = web
        api.name = "api"
        api.clusterIPs = [addr("10.43.0.20")]
        let first = ServiceModel.build(services: [web, api], endpointSlices: [], nodeName: nil, ids: &ids)
        let second = ServiceModel.build(services: [api], endpointSlices: [], nodeName: nil, ids: &ids)
        let key = ServiceModelTests.key("10.43.0.20", 80)
        #expect(first[key]?.id == second[key]?.id)
        #expect(ids.count == 1)
        let third = ServiceModel.build(services: [web, api], endpointSlices: [], nodeName: nil, ids: &ids)
        #expect(third[key]?.id == first[key]?.id)
        // Derived from the key, the re-added frontend gets its old id back.
        #expect(third[ServiceModelTests.key("10.43.0.10", 80)]?.id == first[ServiceModelTests.key("10.43.0.10", 80)]?.id)
    }
}
