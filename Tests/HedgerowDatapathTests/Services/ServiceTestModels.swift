import HedgerowCore

@testable import HedgerowDatapath

/// Small service models for the sync tests.
enum ServiceTestModels {
    static func frontendKey(_ vip: String, _ port: UInt16, _ proto: TransportProtocol = .tcp) -> FrontendKey {
        FrontendKey(address: .ip(IPAddress(vip)!), port: port, protocol: proto)
    }

    static func backend(_ ip: String, _ port: UInt16 = 8080, node: String? = nil, state: BackendState = .active) -> ServiceBackend {
        ServiceBackend(address: BackendAddress(ip: IPAddress(ip)!, port: port), nodeName: node, state: state)
    }

    static func frontend(_ key: FrontendKey, id: UInt16, _ backends: [ServiceBackend], affinity: UInt32? = nil,
                         kind: FrontendKind = .clusterIP, policy: TrafficPolicy = .cluster) -> ServiceFrontend {
        ServiceFrontend(
            key: key, kind: kind, service: NamespacedName(namespace: "default", name: "svc\(id)"), id: ServiceID(rawValue: id),
            backends: backends.sorted(), sessionAffinity: affinity.map { .clientIP(timeoutSeconds: $0) } ?? .none,
            trafficPolicy: policy)
    }

    static func model(_ frontends: [ServiceFrontend]) -> ServiceModel { ServiceModel(frontends: frontends) }

    /// `count` ClusterIP services with `backendsEach` backends each, backends not shared.
    static func many(_ count: Int, backendsEach: Int = 2) -> ServiceModel {
        model((0..<count).map { index in
            let vip = "10.96.\(index / 250).\(index % 250 + 1)"
            let backends = (0..<backendsEach).map { b in backend("10.\(100 + b).\(index / 250).\(index % 250 + 1)") }
            return frontend(frontendKey(vip, 80), id: UInt16(index + 1), backends)
        })
    }
}

/// The maps as values, changed one write at a time: what a program could see between writes.
struct SimulatedServiceMaps {
    var slots: [FrontendKey: [UInt16: BackendID]] = [:]
    var frontends: [FrontendKey: (header: FrontendHeader, count: UInt16)] = [:]
    var backends: [BackendID: BackendEntry] = [:]
    var revNAT: [UInt16: FrontendKey] = [:]
    var matches: Set<AffinityMatch> = []
    var tables: [UInt16: [BackendID]] = [:]

    init(_ image: ServiceMapImage = ServiceMapImage()) {
        for (key, entry) in image.frontends {
            frontends[key] = (entry.header, UInt16(entry.backends.count))
            for (index, backend) in entry.backends.enumerated() { slots[key, default: [:]][UInt16(index + 1)] = backend }
        }
        backends = image.backends
        revNAT = image.revNAT
        matches = image.affinityMatches
        for entry in image.frontends.values where ServiceSyncPlan.hasMaglevTable(entry) { tables[entry.header.serviceID] = entry.backends }
    }

    mutating func apply(_ write: ServiceMapWrite) {
        switch write {
        case .upsertBackend(let id, let entry): backends[id] = entry
        case .upsertRevNAT(let id, let key): revNAT[id] = key
        case .insertAffinityMatch(let match): matches.insert(match)
        case .upsertSlot(let key, let slot, let backend): slots[key, default: [:]][slot] = backend
        case .upsertFrontend(let key, let header, let count): frontends[key] = (header, count)
        case .deleteFrontend(let key): frontends[key] = nil
        case .deleteSlot(let key, let slot): slots[key]?[slot] = nil
        case .deleteAffinityMatch(let match): matches.remove(match)
        case .deleteRevNAT(let id): revNAT[id] = nil
        case .deleteBackend(let id): backends[id] = nil
        case .replaceMaglevTable(let id, let entries): tables[id] = entries.map(\.id)
        case .deleteMaglevTable(let id): tables[id] = nil
        }
    }

    /// What a lookup could trip over now, described; empty when every reachable slot is whole.
    var brokenLookups: [String] {
        var problems: [String] = []
        for (key, frontend) in frontends {
            if revNAT[frontend.header.serviceID] == nil { problems.append("\(key): no rev-NAT for id \(frontend.header.serviceID)") }
            for slot in stride(from: 1, through: Int(frontend.count), by: 1) {
                guard let backend = slots[key]?[UInt16(slot)] else {
                    problems.append("\(key): slot \(slot) of \(frontend.count) missing")
                    continue
                }
                if backends[backend] == nil { problems.append("\(key): slot \(slot) names missing backend \(backend)") }
            }
            if frontend.header.flags.contains(.external), frontend.count > 0, tables[frontend.header.serviceID] == nil {
                problems.append("\(key): external frontend without a Maglev table")
            }
        }
        for (id, table) in tables where table.contains(where: { backends[$0] == nil }) {
            problems.append("Maglev table \(id) names a missing backend")
        }
        return problems
    }

    /// The image the maps hold (for comparing the end state).
    var image: ServiceMapImage {
        var image = ServiceMapImage(backends: backends)
        for (key, frontend) in frontends {
            let backends = (0..<Int(frontend.count)).compactMap { slots[key]?[UInt16($0 + 1)] }
            image.frontends[key] = FrontendEntry(header: frontend.header, backends: backends)
        }
        return image
    }

    var slotCount: Int { slots.values.reduce(0) { $0 + $1.count } }
}
