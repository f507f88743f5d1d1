import HedgerowCore

/// Flows for the filter tests: a TCP SYN x/a -> y/b:80, its reply, a UDP flow to world and a
/// policy drop.
enum FlowSamples {
    static let a = FlowEndpoint.pod(
        id: 11, identity: SecurityIdentity(rawValue: 256), namespace: "x", name: "a-7f9",
        labels: ["app": "a", "tier": "front"])
    static let b = FlowEndpoint.pod(
        id: 12, identity: SecurityIdentity(rawValue: 257), namespace: "y", name: "b-1",
        labels: ["app": "b", "tier": "back"])
    static let world = FlowEndpoint.reserved(.world)

    static func tcp(flags: TCPFlags = .syn, reply: Bool? = false, node: String = "node-1") -> Flow {
        Flow(
            time: FlowTimestamp(seconds: 1_700_000_000, nanos: 123_000_000), verdict: .forwarded,
            ip: FlowIP(source: IPAddress("10.0.1.5")!, destination: IPAddress("10.0.2.7")!),
            l4: .tcp(sourcePort: 43210, destinationPort: 80, flags: flags), source: a, destination: b,
            nodeName: node, isReply: reply, eventType: .trace(.toEndpoint), trafficDirection: .ingress,
            observationPoint: .toEndpoint)
    }

    static let udpToWorld = Flow(
        time: FlowTimestamp(seconds: 1_700_000_001), verdict: .forwarded,
        ip: FlowIP(source: IPAddress("10.0.1.5")!, destination: IPAddress("8.8.8.8")!),
        l4: .udp(sourcePort: 5353, destinationPort: 53), source: a, destination: world,
        destinationNames: ["dns.google."], nodeName: "node-1", isReply: false, eventType: .trace(.toStack),
        trafficDirection: .egress, observationPoint: .toStack)

    static let drop = Flow(
        time: FlowTimestamp(seconds: 1_700_000_002), verdict: .dropped, dropReason: .policyDenied,
        ip: FlowIP(source: IPAddress("10.0.2.7")!, destination: IPAddress("10.0.1.5")!),
        l4: .tcp(sourcePort: 40000, destinationPort: 8080, flags: .syn), source: b, destination: a,
        sourceService: ServiceName(namespace: "y", name: "b-svc"), nodeName: "node-2", isReply: nil,
        eventType: .drop(.policyDenied), trafficDirection: .ingress)

    static let ping = Flow(
        time: FlowTimestamp(seconds: 1_700_000_003), verdict: .forwarded,
        ip: FlowIP(source: IPAddress("fd00::1")!, destination: IPAddress("fd00::2")!),
        l4: .icmpv6(type: 128, code: 0), source: a, destination: b, nodeName: "node-1", isReply: false,
        eventType: .trace(.toEndpoint))

    static let all = [tcp(), tcp(flags: [.syn, .ack], reply: true), udpToWorld, drop, ping]
}

/// Which of `FlowSamples.all` a filter selects, by index.
func selected(_ filter: FlowFilter) -> [Int] {
    FlowSamples.all.indices.filter { filter.matches(FlowSamples.all[$0]) }
}

func filter(_ configure: (inout FlowFilter) throws -> Void) rethrows -> FlowFilter {
    var filter = FlowFilter()
    try configure(&filter)
    return filter
}
