import HedgerowCore

/// Encodes a `Flow` as one self-delimiting record: a varint length, then tagged fields
/// (`RecordField`). Fields holding their type's default (0, "", empty, nil) are left out, and
/// the decoder starts from those defaults, so absence and default read back the same way and
/// optionals keep their nil-versus-value distinction (a present field, even empty, is a value).
///
/// Endpoints, services and policy lists repeat from flow to flow. Within a block, the first
/// occurrence is written whole (wire type bytes) and later ones as its ordinal among the
/// definitions of that kind (wire type varint): raw blocks shrink several times, which makes
/// inflating them on read proportionally faster. Records are therefore decoded per block, in
/// order, by a decoder that saw the same `startBlock()`.
struct FlowRecordEncoder {
    /// Reused between flows so that encoding a block allocates little.
    private var record = ByteWriter(capacity: 512)
    private var message = ByteWriter(capacity: 256)
    private var inner = ByteWriter(capacity: 128)

    private var definedEndpoints: [[UInt8]: Int] = [:]
    private var definedServices: [[UInt8]: Int] = [:]
    private var definedPolicies: [[UInt8]: Int] = [:]

    init() {}

    /// Forgets the definitions of the previous block.
    mutating func startBlock() {
        definedEndpoints.removeAll(keepingCapacity: true)
        definedServices.removeAll(keepingCapacity: true)
        definedPolicies.removeAll(keepingCapacity: true)
    }

    /// Appends the record of `flow` to `output`.
    mutating func append(_ flow: Flow, to output: inout ByteWriter) {
        record.bytes.removeAll(keepingCapacity: true)
        encode(flow)
        output.lengthPrefixed(record.bytes)
    }

    private mutating func encode(_ flow: Flow) {
        typealias F = RecordField
        varintField(F.seconds, UInt64(bitPattern: zigzag(flow.time.seconds)))
        varintField(F.nanos, UInt64(bitPattern: zigzag(Int64(flow.time.nanos))))
        if let uuid = flow.uuid {
            record.varint(F.tag(F.uuid, .bytes))
            record.varint(16)
            record.bigEndian128(uuid.value)
        }
        varintField(F.verdict, UInt64(UInt32(bitPattern: flow.verdict.rawValue)))
        if let reason = flow.dropReason { presentVarint(F.dropReason, UInt64(reason.rawValue)) }
        if let ethernet = flow.ethernet {
            beginMessage()
            stringField(1, ethernet.source, into: &message)
            stringField(2, ethernet.destination, into: &message)
            endMessage(F.ethernet)
        }
        if let ip = flow.ip {
            beginMessage()
            addressField(1, ip.source)
            addressField(2, ip.destination)
            if ip.encrypted { varintField(3, 1, into: &message) }
            endMessage(F.ip)
        }
        if let l4 = flow.l4 { encodeLayer4(l4) }
        encodeEndpoint(flow.source, as: F.source)
        encodeEndpoint(flow.destination, as: F.destination)
        if let service = flow.sourceService { encodeService(service, as: F.sourceService) }
        if let service = flow.destinationService { encodeService(service, as: F.destinationService) }
        for name in flow.sourceNames { presentString(F.sourceName, name) }
        for name in flow.destinationNames { presentString(F.destinationName, name) }
        stringField(F.nodeName, flow.nodeName, into: &record)
        if let isReply = flow.isReply { presentVarint(F.isReply, isReply ? 1 : 0) }
        if flow.eventType != FlowEventType(type: 0, subType: 0) {
            beginMessage()
            varintField(1, UInt64(bitPattern: zigzag(Int64(flow.eventType.type))), into: &message)
            varintField(2, UInt64(bitPattern: zigzag(Int64(flow.eventType.subType))), into: &message)
            endMessage(F.eventType)
        }
        varintField(F.trafficDirection, UInt64(UInt32(bitPattern: flow.trafficDirection.rawValue)))
        if let point = flow.observationPoint { presentVarint(F.observationPoint, UInt64(point.rawValue)) }
        varintField(F.policyMatchType, UInt64(flow.policyMatchType))
        if let interface = flow.interface {
            beginMessage()
            varintField(1, UInt64(interface.index), into: &message)
            stringField(2, interface.name, into: &message)
            endMessage(F.interface)
        }
        if flow.policies != FlowPolicies() { encodePolicies(flow.policies) }
    }

    private mutating func encodeLayer4(_ l4: Layer4) {
        typealias Kind = RecordField.Layer4Kind
        let (kind, first, second, flags): (Kind, UInt64, UInt64, UInt64) =
            switch l4 {
            case .tcp(let source, let destination, let flags): (.tcp, UInt64(source), UInt64(destination), UInt64(flags.rawValue))
            case .udp(let source, let destination): (.udp, UInt64(source), UInt64(destination), 0)
            case .sctp(let source, let destination): (.sctp, UInt64(source), UInt64(destination), 0)
            case .icmpv4(let type, let code): (.icmpv4, UInt64(type), UInt64(code), 0)
            case .icmpv6(let type, let code): (.icmpv6, UInt64(type), UInt64(code), 0)
            }
        beginMessage()
        varintField(1, kind.rawValue, into: &message)
        varintField(2, first, into: &message)
        varintField(3, second, into: &message)
        varintField(4, flags, into: &message)
        endMessage(RecordField.l4)
    }

    private mutating func encodeEndpoint(_ endpoint: FlowEndpoint, as field: UInt64) {
        typealias F = RecordField
        beginMessage()
        varintField(F.endpointID, UInt64(endpoint.id), into: &message)
        varintField(F.endpointIdentity, UInt64(endpoint.identity.rawValue), into: &message)
        stringField(F.endpointNamespace, endpoint.namespace, into: &message)
        stringField(F.endpointPodName, endpoint.podName, into: &message)
        for label in endpoint.labels {
            inner.bytes.removeAll(keepingCapacity: true)
            stringField(1, label.source, into: &inner)
            stringField(2, label.key, into: &inner)
            stringField(3, label.value, into: &inner)
            message.varint(F.tag(F.endpointLabel, .bytes))
            message.lengthPrefixed(inner.bytes)
        }
        endSharedMessage(field, in: \.definedEndpoints)
    }

    private mutating func encodeService(_ service: ServiceName, as field: UInt64) {
        beginMessage()
        stringField(1, service.namespace, into: &message)
        stringField(2, service.name, into: &message)
        endSharedMessage(field, in: \.definedServices)
    }

    private mutating func encodePolicies(_ policies: FlowPolicies) {
        typealias F = RecordField
        beginMessage()
        let lists = [
            (F.egressAllowedBy, policies.egressAllowedBy), (F.ingressAllowedBy, policies.ingressAllowedBy),
            (F.egressDeniedBy, policies.egressDeniedBy), (F.ingressDeniedBy, policies.ingressDeniedBy),
        ]
        for (field, references) in lists {
            for reference in references {
                inner.bytes.removeAll(keepingCapacity: true)
                stringField(1, reference.name, into: &inner)
                stringField(2, reference.namespace, into: &inner)
                stringField(3, reference.kind, into: &inner)
                varintField(4, reference.revision, into: &inner)
                message.varint(F.tag(field, .bytes))
                message.lengthPrefixed(inner.bytes)
            }
        }
        endSharedMessage(F.policies, in: \.definedPolicies)
    }

    // MARK: Field writers

    private mutating func beginMessage() { message.bytes.removeAll(keepingCapacity: true) }

    private mutating func endMessage(_ field: UInt64) {
        record.varint(RecordField.tag(field, .bytes))
        record.lengthPrefixed(message.bytes)
    }

    /// Writes a reference when the block already defined these bytes, else the definition.
    private mutating func endSharedMessage(_ field: UInt64, in definitions: WritableKeyPath<Self, [[UInt8]: Int]>) {
        if let ordinal = self[keyPath: definitions][message.bytes] {
            record.varint(RecordField.tag(field, .varint))
            record.varint(UInt64(ordinal))
        } else {
            self[keyPath: definitions][message.bytes] = self[keyPath: definitions].count
            endMessage(field)
        }
    }

    private mutating func addressField(_ field: UInt64, _ address: IPAddress) {
        message.varint(RecordField.tag(field, .bytes))
        switch address {
        case .v4(let value):
            message.varint(4)
            message.bigEndian(value)
        case .v6(let bits):
            message.varint(16)
            message.bigEndian128(bits.value)
        }
    }

    /// Leaves out zero: the decoder's default.
    private mutating func varintField(_ field: UInt64, _ value: UInt64) {
        varintField(field, value, into: &record)
    }

    private func varintField(_ field: UInt64, _ value: UInt64, into writer: inout ByteWriter) {
        guard value != 0 else { return }
        writer.varint(RecordField.tag(field, .varint))
        writer.varint(value)
    }

    /// Written even when zero: an optional's presence is the value.
    private mutating func presentVarint(_ field: UInt64, _ value: UInt64) {
        record.varint(RecordField.tag(field, .varint))
        record.varint(value)
    }

    private mutating func presentString(_ field: UInt64, _ text: String) {
        record.varint(RecordField.tag(field, .bytes))
        record.string(text)
    }

    private func stringField(_ field: UInt64, _ text: String, into writer: inout ByteWriter) {
        guard !text.isEmpty else { return }
        writer.varint(RecordField.tag(field, .bytes))
        writer.string(text)
    }

    private func zigzag(_ value: Int64) -> Int64 { (value << 1) ^ (value >> 63) }
}
