import CHedgerowABI
import HedgerowCore

/// Service map keys and values in their kernel layout (bpf/include/hedgerow_abi.h) and back.
/// Ports are stored in network byte order; addresses as 16 bytes, IPv4 mapped.
enum ServiceMapCodec {
    /// "Every node address" of a family, as a key address: the unspecified address.
    static func bytes(_ address: FrontendAddress) -> ABIAddress.Bytes {
        switch address {
        case .ip(let ip): ABIAddress.bytes(ip)
        case .anyNodeAddress(.ipv4): ABIAddress.bytes(.v4(0))
        case .anyNodeAddress(.ipv6): ABIAddress.bytes(.v6(0))
        }
    }

    static func serviceKey(_ frontend: FrontendKey, slot: UInt16) -> hedgerow_service_key {
        hedgerow_service_key(
            addr: bytes(frontend.address), port: frontend.port.bigEndian, protocol: frontend.protocol.number, _pad: 0,
            slot: slot, _pad2: 0)
    }

    static func frontendValue(_ header: FrontendHeader, backendCount: UInt16) -> hedgerow_service_value {
        hedgerow_service_value(
            backend_id: 0, backend_count: backendCount, service_id: header.serviceID, flags: header.flags.rawValue,
            affinity_timeout_s: header.affinityTimeoutSeconds)
    }

    static func slotValue(_ backend: BackendID) -> hedgerow_service_value {
        hedgerow_service_value(backend_id: backend, backend_count: 0, service_id: 0, flags: 0, affinity_timeout_s: 0)
    }

    static func backendValue(_ entry: BackendEntry) -> hedgerow_backend {
        hedgerow_backend(
            addr: ABIAddress.bytes(entry.key.address.ip), port: entry.key.address.port.bigEndian,
            protocol: entry.key.protocol.number, flags: entry.flags.rawValue, _pad: 0)
    }

    static func revNATValue(_ frontend: FrontendKey) -> hedgerow_rev_nat {
        hedgerow_rev_nat(addr: bytes(frontend.address), port: frontend.port.bigEndian, protocol: frontend.protocol.number, _pad: 0, _pad2: 0)
    }

    static func affinityMatchKey(_ match: AffinityMatch) -> hedgerow_affinity_match_key {
        hedgerow_affinity_match_key(backend_id: match.backend, service_id: match.serviceID, _pad: 0)
    }

    static func transport(_ number: UInt8) -> TransportProtocol? {
        TransportProtocol.allCases.first { $0.number == number }
    }

    /// The frontend a service map key names; `nodePort` from its slot 0 flags.
    static func frontendKey(_ key: hedgerow_service_key, nodePort: Bool) -> FrontendKey? {
        guard let transport = transport(key.protocol) else { return nil }
        let ip = ABIAddress.address(key.addr)
        let address: FrontendAddress = nodePort ? .anyNodeAddress(ip.family) : .ip(ip)
        return FrontendKey(address: address, port: UInt16(bigEndian: key.port), protocol: transport)
    }

    static func backendEntry(_ value: hedgerow_backend) -> BackendEntry? {
        guard let transport = transport(value.protocol) else { return nil }
        let address = BackendAddress(ip: ABIAddress.address(value.addr), port: UInt16(bigEndian: value.port))
        return BackendEntry(key: BackendKey(address: address, protocol: transport), flags: BackendEntryFlags(rawValue: value.flags))
    }

    /// Rebuilds the image from map contents (a restarted agent adopting pinned maps). Service
    /// map entries that make no sense (slots without their frontend or beyond its count, a
    /// frontend missing a slot or a backend, an unknown protocol) come back as `strays`, for
    /// `ServiceMapSync` to delete.
    static func image(services: [(key: hedgerow_service_key, value: hedgerow_service_value)],
                      backends: [(key: UInt32, value: hedgerow_backend)]) -> (image: ServiceMapImage, strays: [hedgerow_service_key]) {
        var image = ServiceMapImage()
        for (id, value) in backends {
            if let entry = backendEntry(value) { image.backends[id] = entry }
        }
        // Group by (address, port, protocol): slot 0 decides the frontend.
        struct Group { var header: hedgerow_service_value?; var slots: [UInt16: UInt32] = [:]; var keys: [hedgerow_service_key] = [] }
        var groups: [[UInt8]: Group] = [:]
        for (key, value) in services {
            var base = key
            base.slot = 0
            let identity = withUnsafeBytes(of: base) { Array($0) }
            if key.slot == 0 { groups[identity, default: Group()].header = value } else { groups[identity, default: Group()].slots[key.slot] = value.backend_id }
            groups[identity, default: Group()].keys.append(key)
        }
        var strays: [hedgerow_service_key] = []
        for group in groups.values {
            guard let header = group.header, let first = group.keys.first,
                let frontend = frontendKey(first, nodePort: header.flags & HEDGEROW_SVC_F_NODE_PORT.rawValue != 0)
            else {
                strays += group.keys
                continue
            }
            let count = Int(header.backend_count)
            let backends = (0..<count).compactMap { group.slots[UInt16($0 + 1)] }
            guard backends.count == count, backends.allSatisfy({ image.backends[$0] != nil }) else {
                strays += group.keys
                continue
            }
            strays += group.keys.filter { Int($0.slot) > count }
            image.frontends[frontend] = FrontendEntry(
                header: FrontendHeader(serviceID: header.service_id, flags: ServiceEntryFlags(rawValue: header.flags),
                                       affinityTimeoutSeconds: header.affinity_timeout_s),
                backends: backends)
        }
        image.nextBackendID = image.backends.keys.max().map { $0 &+ 1 } ?? 1
        return (image, strays)
    }
}
