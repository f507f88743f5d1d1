import HedgerowAPI
import HedgerowCore

/// The pieces of a printed flow, worded as Hubble's printer words them.
struct FlowText {
    let colors: Colorizer

    /// "namespace/pod:port" for each end; a service or DNS names stand in for a missing pod, the
    /// IP for a missing name.
    func hostNames(_ flow: Flow_Flow) -> (source: String, destination: String) {
        guard flow.hasIp else {
            guard flow.hasEthernet else { return ("", "") }
            return (colors.host(flow.ethernet.source), colors.host(flow.ethernet.destination))
        }
        let (sourcePort, destinationPort) = Self.ports(flow)
        let source = Self.host(
            ip: flow.ip.source, port: sourcePort, namespace: flow.source.namespace, pod: flow.source.podName,
            service: flow.hasSourceService ? flow.sourceService : nil, names: flow.sourceNames)
        let destination = Self.host(
            ip: flow.ip.destination, port: destinationPort, namespace: flow.destination.namespace,
            pod: flow.destination.podName, service: flow.hasDestinationService ? flow.destinationService : nil,
            names: flow.destinationNames)
        return (colors.host(source), colors.host(destination))
    }

    /// "(ID:256)", or "(world)" for reserved identities.
    func identities(_ flow: Flow_Flow) -> (source: String, destination: String) {
        (identity(flow.source.identity), identity(flow.destination.identity))
    }

    func identity(_ value: UInt32) -> String {
        let identity = SecurityIdentity(rawValue: value)
        return colors.identity(identity.reservedName.map { "(\($0))" } ?? "(ID:\(value))")
    }

    func verdict(_ flow: Flow_Flow) -> String {
        let isPolicyVerdict = flow.eventType.type == FlowEventType.policyVerdictType
        let name = Verdict(rawValue: Int32(flow.verdict.rawValue))?.name ?? String(flow.verdict.rawValue)
        switch flow.verdict {
        case .forwarded, .redirected: return colors.green(isPolicyVerdict ? "ALLOWED" : name)
        case .dropped, .error: return colors.red(isPolicyVerdict ? "DENIED" : name)
        case .audit: return colors.yellow(isPolicyVerdict ? "AUDITED" : name)
        case .traced: return colors.yellow(name)
        case .translated: return colors.blue(name)
        default: return name
        }
    }

    /// Hubble's TYPE column: the observation point of a trace, the reason of a drop.
    static func type(_ flow: Flow_Flow) -> String {
        let subType = flow.eventType.subType
        switch flow.eventType.type {
        case FlowEventType.traceType:
            return UInt8(exactly: subType).flatMap(TraceObservationPoint.init(rawValue:))?.name ?? String(subType)
        case FlowEventType.dropType:
            return DropReason(rawValue: UInt8(truncatingIfNeeded: subType)).description
        case FlowEventType.policyVerdictType:
            let direction = Flow_TrafficDirection(rawValue: flow.trafficDirection.rawValue).map {
                FlowTrafficDirection(rawValue: Int32($0.rawValue))?.name ?? "UNKNOWN"
            } ?? "UNKNOWN"
            return "policy-verdict:\(policyMatchName(flow.policyMatchType)) \(direction)"
        default:
            return "UNKNOWN"
        }
    }

    static func policyMatchName(_ value: UInt32) -> String {
        switch value {
        case 0: "none"
        case 1: "L3-Only"
        case 2: "L3-L4"
        case 3: "L4-Only"
        case 4: "all"
        default: "unknown"
        }
    }

    private static func ports(_ flow: Flow_Flow) -> (String, String) {
        switch flow.l4.protocol {
        case .tcp(let tcp)?: (String(tcp.sourcePort), String(tcp.destinationPort))
        case .udp(let udp)?: (String(udp.sourcePort), String(udp.destinationPort))
        case .sctp(let sctp)?: (String(sctp.sourcePort), String(sctp.destinationPort))
        default: ("", "")
        }
    }

    private static func host(
        ip: String, port: String, namespace: String, pod: String, service: Flow_Service?, names: [String]
    ) -> String {
        var host = ip
        if !pod.isEmpty {
            host = namespace.isEmpty ? pod : "\(namespace)/\(pod)"
        } else if let service, !service.name.isEmpty {
            host = service.namespace.isEmpty ? service.name : "\(service.namespace)/\(service.name)"
        } else if !names.isEmpty {
            host = names.joined(separator: ",")
        }
        guard !port.isEmpty, port != "0" else { return host }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
