import HedgerowCore

/// Decodes records written by `FlowRecordEncoder`. Unknown fields are skipped by wire type;
/// a record that overruns its bounds or has an impossible value throws `Malformed`. Keeps
/// intern tables across records, so one decoder per reader pass shares repeated values.
struct FlowRecordDecoder {
    typealias Malformed = ByteReader.Malformed
    private var endpoints = InternTable<FlowEndpoint>()
    private var services = InternTable<ServiceName>()
    private var policyLists = InternTable<FlowPolicies>()
    /// This block's definitions, by ordinal (see FlowRecordEncoder).
    private var definedEndpoints: [FlowEndpoint] = []
    private var definedServices: [ServiceName] = []
    private var definedPolicies: [FlowPolicies] = []

    init() {}

    mutating func startBlock() {
        definedEndpoints.removeAll(keepingCapacity: true)
        definedServices.removeAll(keepingCapacity: true)
        definedPolicies.removeAll(keepingCapacity: true)
    }

    /// Decodes the record whose fields span `range` of `reader`'s buffer.
    mutating func decode(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> Flow {
        typealias F = RecordField
        var reader = ByteReader(buffer, from: range.lowerBound, to: range.upperBound)
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        var uuid: FlowUUID?
        var verdict = Verdict.unknown
        var dropReason: DropReason?
        var ethernet: EthernetAddresses?
        var ip: FlowIP?
        var l4: Layer4?
        var source = Self.emptyEndpoint
        var destination = Self.emptyEndpoint
        var sourceService: ServiceName?
        var destinationService: ServiceName?
        var sourceNames: [String] = []
        var destinationNames: [String] = []
        var nodeName = ""
        var isReply: Bool?
        var eventType = FlowEventType(type: 0, subType: 0)
        var direction = FlowTrafficDirection.unknown
        var point: TraceObservationPoint?
        var matchType: UInt32 = 0
        var interface: FlowInterface?
        var policies = FlowPolicies()

        while !reader.isAtEnd {
            let tag = try reader.varint()
            let field = tag >> 3
            guard let wire = F.WireType(rawValue: tag & 7) else { throw Malformed(reason: "wire type \(tag & 7)") }
            switch (field, wire) {
            case (F.seconds, .varint): seconds = unzigzag(try reader.varint())
            case (F.nanos, .varint): nanos = try narrow(unzigzag(try reader.varint()), "nanos")
            case (F.uuid, .bytes):
                let bytes = try reader.lengthPrefixedRange()
                guard bytes.count == 16 else { throw Malformed(reason: "uuid of \(bytes.count) bytes") }
                uuid = FlowUUID(reader.bigEndian128(at: bytes))
            case (F.verdict, .varint):
                let raw: Int32 = try narrow(Int64(try reader.varint()), "verdict")
                guard let value = Verdict(rawValue: raw) else { throw Malformed(reason: "verdict \(raw)") }
                verdict = value
            case (F.dropReason, .varint): dropReason = DropReason(rawValue: try narrow(Int64(try reader.varint()), "drop reason"))
            case (F.ethernet, .bytes): ethernet = try Self.decodeEthernet(buffer, try reader.lengthPrefixedRange())
            case (F.ip, .bytes): ip = try Self.decodeIP(buffer, try reader.lengthPrefixedRange())
            case (F.l4, .bytes): l4 = try Self.decodeLayer4(buffer, try reader.lengthPrefixedRange())
            case (F.source, .bytes): source = try defineEndpoint(buffer, try reader.lengthPrefixedRange())
            case (F.source, .varint): source = try Self.defined(definedEndpoints, try reader.varint(), "endpoint")
            case (F.destination, .bytes): destination = try defineEndpoint(buffer, try reader.lengthPrefixedRange())
            case (F.destination, .varint): destination = try Self.defined(definedEndpoints, try reader.varint(), "endpoint")
            case (F.sourceService, .bytes): sourceService = try defineService(buffer, try reader.lengthPrefixedRange())
            case (F.sourceService, .varint): sourceService = try Self.defined(definedServices, try reader.varint(), "service")
            case (F.destinationService, .bytes): destinationService = try defineService(buffer, try reader.lengthPrefixedRange())
            case (F.destinationService, .varint):
                destinationService = try Self.defined(definedServices, try reader.varint(), "service")
            case (F.sourceName, .bytes): sourceNames.append(reader.string(try reader.lengthPrefixedRange()))
            case (F.destinationName, .bytes): destinationNames.append(reader.string(try reader.lengthPrefixedRange()))
            case (F.nodeName, .bytes): nodeName = reader.string(try reader.lengthPrefixedRange())
            case (F.isReply, .varint): isReply = try reader.varint() != 0
            case (F.eventType, .bytes): eventType = try Self.decodeEventType(buffer, try reader.lengthPrefixedRange())
            case (F.trafficDirection, .varint):
                let raw: Int32 = try narrow(Int64(try reader.varint()), "traffic direction")
                guard let value = FlowTrafficDirection(rawValue: raw) else { throw Malformed(reason: "traffic direction \(raw)") }
                direction = value
            case (F.observationPoint, .varint):
                let raw: UInt8 = try narrow(Int64(try reader.varint()), "observation point")
                guard let value = TraceObservationPoint(rawValue: raw) else { throw Malformed(reason: "observation point \(raw)") }
                point = value
            case (F.policyMatchType, .varint): matchType = try narrow(Int64(try reader.varint()), "policy match type")
            case (F.interface, .bytes): interface = try Self.decodeInterface(buffer, try reader.lengthPrefixedRange())
            case (F.policies, .bytes):
                policies = try policyList(buffer, try reader.lengthPrefixedRange())
                definedPolicies.append(policies)
            case (F.policies, .varint): policies = try Self.defined(definedPolicies, try reader.varint(), "policies")
            default: try skip(wire, &reader)
            }
        }
        return Flow(
            time: FlowTimestamp(seconds: seconds, nanos: nanos), uuid: uuid, verdict: verdict, dropReason: dropReason,
            ethernet: ethernet, ip: ip, l4: l4, source: source, destination: destination,
            sourceService: sourceService, destinationService: destinationService,
            sourceNames: sourceNames, destinationNames: destinationNames, nodeName: nodeName,
            isReply: isReply, eventType: eventType, trafficDirection: direction, observationPoint: point,
            policyMatchType: matchType, interface: interface, policies: policies)
    }

    private static let emptyEndpoint = FlowEndpoint(identity: .any)

    // MARK: Sub-messages

    private static func defined<T>(_ definitions: [T], _ ordinal: UInt64, _ kind: String) throws -> T {
        guard ordinal < UInt64(definitions.count) else {
            throw Malformed(reason: "reference to \(kind) #\(ordinal) of \(definitions.count) defined")
        }
        return definitions[Int(ordinal)]
    }

    private mutating func defineEndpoint(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> FlowEndpoint {
        let value = try endpoint(buffer, range)
        definedEndpoints.append(value)
        return value
    }

    private mutating func defineService(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> ServiceName {
        let value = try service(buffer, range)
        definedServices.append(value)
        return value
    }

    private mutating func endpoint(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> FlowEndpoint {
        try endpoints.value(for: UnsafeRawBufferPointer(rebasing: buffer[range])) {
            var endpoint = FlowEndpoint(identity: .any)
            var labels: [FlowLabel] = []
            try Self.forEachField(buffer, range) { field, wire, reader in
                switch (field, wire) {
                case (RecordField.endpointID, .varint): endpoint.id = try narrow(Int64(try reader.varint()), "endpoint id")
                case (RecordField.endpointIdentity, .varint):
                    endpoint.identity = SecurityIdentity(rawValue: try narrow(Int64(try reader.varint()), "identity"))
                case (RecordField.endpointNamespace, .bytes): endpoint.namespace = reader.string(try reader.lengthPrefixedRange())
                case (RecordField.endpointPodName, .bytes): endpoint.podName = reader.string(try reader.lengthPrefixedRange())
                case (RecordField.endpointLabel, .bytes):
                    let strings = try Self.decodeStrings(buffer, try reader.lengthPrefixedRange(), count: 3)
                    labels.append(FlowLabel(source: strings[0], key: strings[1], value: strings[2]))
                default: try skip(wire, &reader)
                }
            }
            endpoint.labels = labels
            return endpoint
        }
    }

    private mutating func service(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> ServiceName {
        try services.value(for: UnsafeRawBufferPointer(rebasing: buffer[range])) {
            let strings = try Self.decodeStrings(buffer, range, count: 2)
            return ServiceName(namespace: strings[0], name: strings[1])
        }
    }

    private mutating func policyList(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> FlowPolicies {
        try policyLists.value(for: UnsafeRawBufferPointer(rebasing: buffer[range])) {
            var lists: [[PolicyReference]] = [[], [], [], []]
            try Self.forEachField(buffer, range) { field, wire, reader in
                guard wire == .bytes, (1...4).contains(field) else { return try skip(wire, &reader) }
                lists[Int(field) - 1].append(try Self.decodePolicyReference(buffer, try reader.lengthPrefixedRange()))
            }
            return FlowPolicies(
                egressAllowedBy: lists[Int(RecordField.egressAllowedBy) - 1],
                ingressAllowedBy: lists[Int(RecordField.ingressAllowedBy) - 1],
                egressDeniedBy: lists[Int(RecordField.egressDeniedBy) - 1],
                ingressDeniedBy: lists[Int(RecordField.ingressDeniedBy) - 1])
        }
    }

    private static func decodePolicyReference(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> PolicyReference {
        var reference = PolicyReference(name: "", namespace: "", kind: "")
        try Self.forEachField(buffer, range) { field, wire, reader in
            switch (field, wire) {
            case (1, .bytes): reference.name = reader.string(try reader.lengthPrefixedRange())
            case (2, .bytes): reference.namespace = reader.string(try reader.lengthPrefixedRange())
            case (3, .bytes): reference.kind = reader.string(try reader.lengthPrefixedRange())
            case (4, .varint): reference.revision = try reader.varint()
            default: try skip(wire, &reader)
            }
        }
        return reference
    }

    private static func decodeEthernet(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> EthernetAddresses {
        let strings = try Self.decodeStrings(buffer, range, count: 2)
        return EthernetAddresses(source: strings[0], destination: strings[1])
    }

    private static func decodeIP(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> FlowIP {
        var addresses: [IPAddress?] = [nil, nil]
        var encrypted = false
        try Self.forEachField(buffer, range) { field, wire, reader in
            switch (field, wire) {
            case (1, .bytes), (2, .bytes):
                let bytes = try reader.lengthPrefixedRange()
                let value = reader.bigEndian128(at: bytes)
                addresses[Int(field) - 1] =
                    switch bytes.count {
                    case 4: .v4(UInt32(value))
                    case 16: .v6(value)
                    default: throw Malformed(reason: "address of \(bytes.count) bytes")
                    }
            case (3, .varint): encrypted = try reader.varint() != 0
            default: try skip(wire, &reader)
            }
        }
        guard let source = addresses[0], let destination = addresses[1] else {
            throw Malformed(reason: "IP without both addresses")
        }
        return FlowIP(source: source, destination: destination, encrypted: encrypted)
    }

    private static func decodeLayer4(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> Layer4 {
        var values: [UInt64] = [0, 0, 0, 0]
        try Self.forEachField(buffer, range) { field, wire, reader in
            guard wire == .varint, (1...4).contains(field) else { return try skip(wire, &reader) }
            values[Int(field) - 1] = try reader.varint()
        }
        let first: UInt16 = try narrow(Int64(bitPattern: values[1]), "l4 source")
        let second: UInt16 = try narrow(Int64(bitPattern: values[2]), "l4 destination")
        switch RecordField.Layer4Kind(rawValue: values[0]) {
        case .tcp: return .tcp(sourcePort: first, destinationPort: second, flags: TCPFlags(rawValue: try narrow(Int64(bitPattern: values[3]), "tcp flags")))
        case .udp: return .udp(sourcePort: first, destinationPort: second)
        case .sctp: return .sctp(sourcePort: first, destinationPort: second)
        case .icmpv4: return .icmpv4(type: try narrow(Int64(first), "icmp type"), code: try narrow(Int64(second), "icmp code"))
        case .icmpv6: return .icmpv6(type: try narrow(Int64(first), "icmp type"), code: try narrow(Int64(second), "icmp code"))
        case nil: throw Malformed(reason: "layer 4 kind \(values[0])")
        }
    }

    private static func decodeEventType(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> FlowEventType {
        var type = FlowEventType(type: 0, subType: 0)
        try Self.forEachField(buffer, range) { field, wire, reader in
            switch (field, wire) {
            case (1, .varint): type.type = try narrow(unzigzag(try reader.varint()), "event type")
            case (2, .varint): type.subType = try narrow(unzigzag(try reader.varint()), "event sub-type")
            default: try skip(wire, &reader)
            }
        }
        return type
    }

    private static func decodeInterface(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> FlowInterface {
        var interface = FlowInterface(index: 0, name: "")
        try Self.forEachField(buffer, range) { field, wire, reader in
            switch (field, wire) {
            case (1, .varint): interface.index = try narrow(Int64(try reader.varint()), "interface index")
            case (2, .bytes): interface.name = reader.string(try reader.lengthPrefixedRange())
            default: try skip(wire, &reader)
            }
        }
        return interface
    }

    /// A message of string fields numbered 1...count.
    private static func decodeStrings(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, count: Int) throws -> [String] {
        var strings = [String](repeating: "", count: count)
        try Self.forEachField(buffer, range) { field, wire, reader in
            guard wire == .bytes, field >= 1, field <= count else { return try skip(wire, &reader) }
            strings[Int(field) - 1] = reader.string(try reader.lengthPrefixedRange())
        }
        return strings
    }

    // MARK: Primitives

    private static func forEachField(
        _ buffer: UnsafeRawBufferPointer, _ range: Range<Int>,
        _ body: (UInt64, RecordField.WireType, inout ByteReader) throws -> Void
    ) throws {
        var reader = ByteReader(buffer, from: range.lowerBound, to: range.upperBound)
        while !reader.isAtEnd {
            let tag = try reader.varint()
            guard let wire = RecordField.WireType(rawValue: tag & 7) else { throw Malformed(reason: "wire type \(tag & 7)") }
            try body(tag >> 3, wire, &reader)
        }
    }
}

private func skip(_ wire: RecordField.WireType, _ reader: inout ByteReader) throws {
    switch wire {
    case .varint: _ = try reader.varint()
    case .fixed64: try reader.skip(8)
    case .bytes: _ = try reader.lengthPrefixedRange()
    case .fixed32: try reader.skip(4)
    }
}

private func unzigzag(_ raw: UInt64) -> Int64 { Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1) }

private func narrow<T: FixedWidthInteger>(_ value: Int64, _ field: String) throws -> T {
    guard let narrowed = T(exactly: value) else { throw ByteReader.Malformed(reason: "\(field) \(value) out of range") }
    return narrowed
}
