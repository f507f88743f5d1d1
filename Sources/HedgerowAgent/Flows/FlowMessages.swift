import HedgerowAPI
import HedgerowCore
import SwiftProtobuf

/// Core flows and lost events as Hubble's messages (flow.Flow, flow.LostEvent,
/// observer.GetFlowsResponse).
extension Flow_Flow {
    public init(_ flow: Flow) {
        self.init()
        time = Google_Protobuf_Timestamp(seconds: flow.time.seconds, nanos: flow.time.nanos)
        if let uuid = flow.uuid { self.uuid = uuid.description }
        verdict = Flow_Verdict(rawValue: Int(flow.verdict.rawValue)) ?? .unknown
        if let reason = flow.dropReason {
            dropReason = UInt32(reason.rawValue)
            dropReasonDesc = Flow_DropReason(rawValue: Int(reason.rawValue)) ?? .unknown
        }
        if let ethernet = flow.ethernet {
            self.ethernet = .with {
                $0.source = ethernet.source
                $0.destination = ethernet.destination
            }
        }
        if let ip = flow.ip {
            self.ip = .with {
                $0.source = ip.source.description
                $0.destination = ip.destination.description
                $0.ipVersion = ip.family == .ipv4 ? .ipv4 : .ipv6
                $0.encrypted = ip.encrypted
            }
        }
        if let l4 = flow.l4 { self.l4 = Flow_Layer4(l4) }
        source = Flow_Endpoint(flow.source)
        destination = Flow_Endpoint(flow.destination)
        type = .l3L4
        nodeName = flow.nodeName
        sourceNames = flow.sourceNames
        destinationNames = flow.destinationNames
        if let isReply = flow.isReply {
            self.isReply = Google_Protobuf_BoolValue(isReply)
            reply = isReply
        }
        eventType = .with {
            $0.type = flow.eventType.type
            $0.subType = flow.eventType.subType
        }
        if let service = flow.sourceService { sourceService = Flow_Service(service) }
        if let service = flow.destinationService { destinationService = Flow_Service(service) }
        trafficDirection = Flow_TrafficDirection(rawValue: Int(flow.trafficDirection.rawValue)) ?? .unknown
        policyMatchType = flow.policyMatchType
        if let point = flow.observationPoint {
            traceObservationPoint = Flow_TraceObservationPoint(rawValue: Int(point.protoNumber)) ?? .unknownPoint
        }
        if let interface = flow.interface {
            self.interface = .with {
                $0.index = interface.index
                $0.name = interface.name
            }
        }
        egressAllowedBy = flow.policies.egressAllowedBy.map(Flow_Policy.init)
        ingressAllowedBy = flow.policies.ingressAllowedBy.map(Flow_Policy.init)
        egressDeniedBy = flow.policies.egressDeniedBy.map(Flow_Policy.init)
        ingressDeniedBy = flow.policies.ingressDeniedBy.map(Flow_Policy.init)
        summary = FlowSummary.text(for: flow)
    }
}

extension Flow_Layer4 {
    init(_ l4: Layer4) {
        self.init()
        switch l4 {
        case .tcp(let sourcePort, let destinationPort, let flags):
            tcp = .with {
                $0.sourcePort = UInt32(sourcePort)
                $0.destinationPort = UInt32(destinationPort)
                $0.flags = Flow_TCPFlags(flags)
            }
        case .udp(let sourcePort, let destinationPort):
            udp = .with {
                $0.sourcePort = UInt32(sourcePort)
                $0.destinationPort = UInt32(destinationPort)
            }
        case .sctp(let sourcePort, let destinationPort):
            sctp = .with {
                $0.sourcePort = UInt32(sourcePort)
                $0.destinationPort = UInt32(destinationPort)
            }
        case .icmpv4(let type, let code):
            icmpv4 = .with {
                $0.type = UInt32(type)
                $0.code = UInt32(code)
            }
        case .icmpv6(let type, let code):
            icmpv6 = .with {
                $0.type = UInt32(type)
                $0.code = UInt32(code)
            }
        }
    }
}


extension Flow_Endpoint {
    init(_ endpoint: FlowEndpoint) {
        self.init()
        id = endpoint.id
        identity = endpoint.identity.rawValue
        namespace = endpoint.namespace
        labels = endpoint.labels.map(\.description)
        podName = endpoint.podName
    }
}

extension Flow_Service {
    init(_ service: ServiceName) {
        self.init()
        name = service.name
        namespace = service.namespace
    }
}

extension Flow_Policy {
    init(_ policy: PolicyReference) {
        self.init()
        name = policy.name
        namespace = policy.namespace
        kind = policy.kind
        revision = policy.revision
    }
}

extension Flow_LostEvent {
    public init(_ event: LostEvent) {
        self.init()
        source = Flow_LostEventSource(rawValue: Int(event.source.rawValue)) ?? .unknownLostEventSource
        numEventsLost = event.count
        if let cpu = event.cpu { self.cpu = Google_Protobuf_Int32Value(cpu) }
    }
}

extension Observer_GetFlowsResponse {
    public init(_ event: FlowStoreEvent, nodeName: String) {
        self.init()
        switch event {
        case .flow(let flow):
            self.flow = Flow_Flow(flow)
            self.nodeName = flow.nodeName.isEmpty ? nodeName : flow.nodeName
        case .lost(let lost, _):
            lostEvents = Flow_LostEvent(lost)
            self.nodeName = nodeName
        }
        time = Google_Protobuf_Timestamp(seconds: event.time.seconds, nanos: event.time.nanos)
    }
}
