/// One observed flow event after enrichment: what the agent keeps in its ring, filters, and
/// converts to Hubble's `flow.Flow`. Optional fields are the ones the datapath cannot always
/// tell; everything else has a neutral default so that decoders set only what they know.
public struct Flow: Sendable, Hashable {
    // The order of the stored properties packs them without padding (168 bytes): a ring holds
    // tens of thousands of flows. References and 8-byte fields first, then the odd sizes.
    public var time: FlowTimestamp
    public var source: FlowEndpoint
    public var destination: FlowEndpoint
    public var sourceService: ServiceName?
    public var destinationService: ServiceName?
    public var nodeName: String
    public var policies: FlowPolicies
    /// Fields this datapath never sets, kept out of line (8 bytes, shared while empty).
    private var seldom: SharedValue<SeldomFields>
    /// Stamped by the flow store when absent.
    public var uuid: FlowUUID?
    public var verdict: Verdict
    /// Whether the packet travelled in the reply direction of its connection; nil when unknown.
    public var isReply: Bool?
    public var trafficDirection: FlowTrafficDirection
    public var observationPoint: TraceObservationPoint?
    /// Set on drops (`verdict == .dropped`).
    public var dropReason: DropReason?
    public var ip: FlowIP?
    public var l4: Layer4?
    /// Cilium's policy match type (policy-verdict events): 0 none, 1 L3-only, 2 L3-L4, 3 L4-only, 4 all.
    public var policyMatchType: UInt32
    public var eventType: FlowEventType

    private struct SeldomFields: Sendable, Hashable {
        var ethernet: EthernetAddresses?
        var sourceNames: [String] = []
        var destinationNames: [String] = []
        var interface: FlowInterface?
    }

    private static let noSeldomFields = SharedValue(SeldomFields())

    public var ethernet: EthernetAddresses? {
        get { seldom.value.ethernet }
        set { seldom.value.ethernet = newValue }
    }
    /// DNS names known for the source and destination addresses.
    public var sourceNames: [String] {
        get { seldom.value.sourceNames }
        set { seldom.value.sourceNames = newValue }
    }
    public var destinationNames: [String] {
        get { seldom.value.destinationNames }
        set { seldom.value.destinationNames = newValue }
    }
    public var interface: FlowInterface? {
        get { seldom.value.interface }
        set { seldom.value.interface = newValue }
    }

    public init(
        time: FlowTimestamp, uuid: FlowUUID? = nil, verdict: Verdict, dropReason: DropReason? = nil,
        ethernet: EthernetAddresses? = nil, ip: FlowIP?, l4: Layer4?,
        source: FlowEndpoint, destination: FlowEndpoint,
        sourceService: ServiceName? = nil, destinationService: ServiceName? = nil,
        sourceNames: [String] = [], destinationNames: [String] = [], nodeName: String = "",
        isReply: Bool?, eventType: FlowEventType, trafficDirection: FlowTrafficDirection = .unknown,
        observationPoint: TraceObservationPoint? = nil, policyMatchType: UInt32 = 0,
        interface: FlowInterface? = nil, policies: FlowPolicies = FlowPolicies()
    ) {
        self.time = time
        self.uuid = uuid
        self.verdict = verdict
        self.dropReason = dropReason
        let seldom = SeldomFields(
            ethernet: ethernet, sourceNames: sourceNames, destinationNames: destinationNames, interface: interface)
        self.seldom = seldom == SeldomFields() ? Self.noSeldomFields : SharedValue(seldom)
        self.ip = ip
        self.l4 = l4
        self.source = source
        self.destination = destination
        self.sourceService = sourceService
        self.destinationService = destinationService
        self.nodeName = nodeName
        self.isReply = isReply
        self.eventType = eventType
        self.trafficDirection = trafficDirection
        self.observationPoint = observationPoint
        self.policyMatchType = policyMatchType
        self.policies = policies
    }
}

/// Wall-clock time with nanoseconds, as in `google.protobuf.Timestamp`.
public struct FlowTimestamp: Sendable, Hashable, Comparable {
    public var seconds: Int64
    /// 0 ..< 1_000_000_000
    public var nanos: Int32

    public init(seconds: Int64, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }

    public init(nanosecondsSinceEpoch value: Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: 1_000_000_000)
        self = remainder < 0
            ? FlowTimestamp(seconds: quotient - 1, nanos: Int32(remainder + 1_000_000_000))
            : FlowTimestamp(seconds: quotient, nanos: Int32(remainder))
    }

    public var nanosecondsSinceEpoch: Int64 { seconds &* 1_000_000_000 &+ Int64(nanos) }

    public static let zero = FlowTimestamp(seconds: 0)

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos) }
}

/// A flow's unique id: 128 bits printed in the UUID text form.
public struct FlowUUID: Sendable, Hashable, CustomStringConvertible {
    // Two halves rather than a UInt128: that one is 16-byte aligned, and padded every Flow.
    private let high: UInt64
    private let low: UInt64
    public var value: UInt128 { UInt128(high) << 64 | UInt128(low) }
    public init(_ value: UInt128) {
        high = UInt64(truncatingIfNeeded: value >> 64)
        low = UInt64(truncatingIfNeeded: value)
    }

    /// A version-4-shaped id derived from a per-process random seed and a sequence number:
    /// distinct sequence numbers give distinct ids (the mixing is a bijection), and no system
    /// call is made per flow.
    public init(seed: UInt64, sequence: UInt64) {
        let high = Self.mix(seed ^ sequence)
        let low = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* (sequence | 1))
        var bits = UInt128(high) << 64 | UInt128(low)
        bits = bits & ~(UInt128(0xF000) << 64) | (UInt128(0x4000) << 64)  // version 4
        bits = bits & ~(UInt128(0xC) << 60) | (UInt128(0x8) << 60)  // RFC 4122 variant
        self.init(bits)
    }

    /// splitmix64's finalizer, a bijection on 64-bit values.
    private static func mix(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public var description: String {
        var hex = String(value, radix: 16)
        hex = String(repeating: "0", count: 32 - hex.count) + hex
        let cuts = [8, 12, 16, 20]
        var result = ""
        for (index, character) in hex.enumerated() {
            if cuts.contains(index) { result.append("-") }
            result.append(character)
        }
        return result
    }
}

public struct FlowIP: Sendable, Hashable {
    public var source: IPAddress
    public var destination: IPAddress
    public var encrypted: Bool

    public init(source: IPAddress, destination: IPAddress, encrypted: Bool = false) {
        self.source = source
        self.destination = destination
        self.encrypted = encrypted
    }

    /// Both ends have one family; the source's is reported.
    public var family: IPFamily { source.family }
}

/// MAC addresses as printed ("aa:bb:cc:dd:ee:ff").
public struct EthernetAddresses: Sendable, Hashable {
    public var source: String
    public var destination: String

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}

/// One end of a flow. Fields the agent could not resolve stay empty (`world` has no pod).
/// Stored shared (8 bytes per flow): the flows of one pod share its endpoint.
public struct FlowEndpoint: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var id: UInt32
        var identity: SecurityIdentity
        var namespace: String
        var podName: String
        var labels: [FlowLabel]
    }

    private var fields: SharedValue<Fields>

    /// Hedgerow endpoint id (0 for remote ends).
    public var id: UInt32 {
        get { fields.value.id }
        set { fields.value.id = newValue }
    }
    public var identity: SecurityIdentity {
        get { fields.value.identity }
        set { fields.value.identity = newValue }
    }
    public var namespace: String {
        get { fields.value.namespace }
        set { fields.value.namespace = newValue }
    }
    public var podName: String {
        get { fields.value.podName }
        set { fields.value.podName = newValue }
    }
    public var labels: [FlowLabel] {
        get { fields.value.labels }
        set { fields.value.labels = newValue }
    }

    public init(
        id: UInt32 = 0, identity: SecurityIdentity, namespace: String = "", podName: String = "",
        labels: [FlowLabel] = []
    ) {
        fields = SharedValue(Fields(id: id, identity: identity, namespace: namespace, podName: podName, labels: labels))
    }

    /// A pod: its Kubernetes labels become `k8s:` labels.
    public static func pod(
        id: UInt32 = 0, identity: SecurityIdentity, namespace: String, name: String, labels: Labels
    ) -> FlowEndpoint {
        FlowEndpoint(
            id: id, identity: identity, namespace: namespace, podName: name,
            labels: labels.map { FlowLabel(source: "k8s", key: $0.key, value: $0.value) })
    }

    /// An end known only by a reserved identity (`world`, `host`, ...): labelled `reserved:NAME`.
    public static func reserved(_ identity: SecurityIdentity) -> FlowEndpoint {
        FlowEndpoint(
            identity: identity,
            labels: identity.reservedName.map { [FlowLabel(source: "reserved", key: $0, value: "")] } ?? [])
    }
}

/// A Cilium-style label: a source ("k8s", "reserved", ...), a key and a value.
public struct FlowLabel: Sendable, Hashable, CustomStringConvertible {
    public var source: String
    public var key: String
    public var value: String

    public init(source: String, key: String, value: String) {
        self.source = source
        self.key = key
        self.value = value
    }

    /// "k8s:app=web", or "reserved:world" for a label without value.
    public var description: String { value.isEmpty ? "\(source):\(key)" : "\(source):\(key)=\(value)" }

    /// The inverse of `description`, as Hubble prints labels; no source means "unspec".
    public init(text: String) {
        let (source, rest) =
            text.firstIndex(of: ":").map { (String(text[..<$0]), text[text.index(after: $0)...]) } ?? ("unspec", text[...])
        let (key, value) = rest.firstIndex(of: "=").map { (rest[..<$0], rest[rest.index(after: $0)...]) } ?? (rest, "")
        self.init(source: source, key: String(key), value: String(value))
    }
}

/// Stored shared (8 bytes per flow), like the endpoints.
public struct ServiceName: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var namespace: String
        var name: String
    }

    private var fields: SharedValue<Fields>

    public var namespace: String {
        get { fields.value.namespace }
        set { fields.value.namespace = newValue }
    }
    public var name: String {
        get { fields.value.name }
        set { fields.value.name = newValue }
    }

    public init(namespace: String, name: String) {
        fields = SharedValue(Fields(namespace: namespace, name: name))
    }
}

/// The interface the datapath saw the packet on.
public struct FlowInterface: Sendable, Hashable {
    public var index: UInt32
    public var name: String

    public init(index: UInt32, name: String) {
        self.index = index
        self.name = name
    }
}

/// Policies that allowed or denied the flow, per direction. Stored shared (8 bytes per flow):
/// flows matched by the same rule share one list, and flows without policies share the empty one.
public struct FlowPolicies: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var egressAllowedBy: [PolicyReference] = []
        var ingressAllowedBy: [PolicyReference] = []
        var egressDeniedBy: [PolicyReference] = []
        var ingressDeniedBy: [PolicyReference] = []
    }

    private static let none = SharedValue(Fields())
    private var fields: SharedValue<Fields>

    public var egressAllowedBy: [PolicyReference] {
        get { fields.value.egressAllowedBy }
        set { fields.value.egressAllowedBy = newValue }
    }
    public var ingressAllowedBy: [PolicyReference] {
        get { fields.value.ingressAllowedBy }
        set { fields.value.ingressAllowedBy = newValue }
    }
    public var egressDeniedBy: [PolicyReference] {
        get { fields.value.egressDeniedBy }
        set { fields.value.egressDeniedBy = newValue }
    }
    public var ingressDeniedBy: [PolicyReference] {
        get { fields.value.ingressDeniedBy }
        set { fields.value.ingressDeniedBy = newValue }
    }

    public init(
        egressAllowedBy: [PolicyReference] = [], ingressAllowedBy: [PolicyReference] = [],
        egressDeniedBy: [PolicyReference] = [], ingressDeniedBy: [PolicyReference] = []
    ) {
        let fields = Fields(
            egressAllowedBy: egressAllowedBy, ingressAllowedBy: ingressAllowedBy,
            egressDeniedBy: egressDeniedBy, ingressDeniedBy: ingressDeniedBy)
        self.fields = fields == Fields() ? Self.none : SharedValue(fields)
    }
}

public struct PolicyReference: Sendable, Hashable {
    public var name: String
    public var namespace: String
    /// "NetworkPolicy" or "CiliumNetworkPolicy".
    public var kind: String
    public var revision: UInt64

    public init(name: String, namespace: String, kind: String, revision: UInt64 = 0) {
        self.name = name
        self.namespace = namespace
        self.kind = kind
        self.revision = revision
    }
}
