import ArgumentParser

/// The filter flags, declared so that ArgumentParser accepts them and documents them. Their
/// values are read again, in command-line order, by FilterArgumentScanner: `--not` applies to
/// the flag that follows it, which only the order tells.
struct FilterOptions: ParsableArguments {
    @Flag(name: .customLong("not"), help: "Negate the next filter: --not --verdict FORWARDED.")
    var not: Int

    @Option(help: "Flows from or to pods with this name prefix: [namespace/]pod (namespace \"default\" when omitted).")
    var pod: [String] = []
    @Option(name: .customLong("from-pod"), help: "Flows from pods with this [namespace/]name prefix.")
    var fromPod: [String] = []
    @Option(name: .customLong("to-pod"), help: "Flows to pods with this [namespace/]name prefix.")
    var toPod: [String] = []

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "Flows from or to this namespace.")
    var namespace: [String] = []
    @Option(name: .customLong("from-namespace"), help: "Flows from this namespace.")
    var fromNamespace: [String] = []
    @Option(name: .customLong("to-namespace"), help: "Flows to this namespace.")
    var toNamespace: [String] = []
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Flows from or to pods of any namespace.")
    var allNamespaces: Int
    @Flag(name: .customLong("from-all-namespaces"), help: "Flows from pods of any namespace.")
    var fromAllNamespaces: Int
    @Flag(name: .customLong("to-all-namespaces"), help: "Flows to pods of any namespace.")
    var toAllNamespaces: Int

    @Option(name: [.customShort("l"), .customLong("label")], help: "Flows from or to endpoints matching this label selector (\"app=web\", \"reserved:world\").")
    var label: [String] = []
    @Option(name: .customLong("from-label"), help: "Flows from endpoints matching this label selector.")
    var fromLabel: [String] = []
    @Option(name: .customLong("to-label"), help: "Flows to endpoints matching this label selector.")
    var toLabel: [String] = []

    @Option(help: "Flows from or to this IP address or CIDR.")
    var ip: [String] = []
    @Option(name: .customLong("from-ip"), help: "Flows from this IP address or CIDR.")
    var fromIP: [String] = []
    @Option(name: .customLong("to-ip"), help: "Flows to this IP address or CIDR.")
    var toIP: [String] = []

    @Option(help: "Flows with this source or destination port.")
    var port: [String] = []
    @Option(name: .customLong("from-port"), help: "Flows with this source port.")
    var fromPort: [String] = []
    @Option(name: .customLong("to-port"), help: "Flows with this destination port.")
    var toPort: [String] = []

    @Option(help: "Flows from or to this security identity (number or reserved name such as world, host).")
    var identity: [String] = []
    @Option(name: .customLong("from-identity"), help: "Flows from this security identity.")
    var fromIdentity: [String] = []
    @Option(name: .customLong("to-identity"), help: "Flows to this security identity.")
    var toIdentity: [String] = []

    @Option(help: "Flows from or to this service ([namespace/]name prefix).")
    var service: [String] = []
    @Option(name: .customLong("from-service"), help: "Flows from this service.")
    var fromService: [String] = []
    @Option(name: .customLong("to-service"), help: "Flows to this service.")
    var toService: [String] = []

    @Option(help: "Flows of this protocol: tcp, udp, sctp, icmp, icmpv4, icmpv6.")
    var `protocol`: [String] = []
    @Option(help: "Flows with this verdict: FORWARDED, DROPPED, AUDIT, REDIRECTED, ERROR, TRACED, TRANSLATED.")
    var verdict: [String] = []
    @Option(name: .customLong("tcp-flags"), help: "TCP flows with all these flags (e.g. syn or syn,ack).")
    var tcpFlags: [String] = []
    @Option(name: [.customShort("t"), .customLong("type")], help: "Flows of this event type TYPE[:SUBTYPE] (trace, trace:to-endpoint, drop, policy-verdict).")
    var type: [String] = []
    @Option(name: .customLong("traffic-direction"), help: "Flows in this direction: ingress or egress.")
    var trafficDirection: [String] = []
    @Option(name: .customLong("node-name"), help: "Flows observed on nodes matching this pattern (node-*, cluster/node).")
    var nodeName: [String] = []
    @Option(help: "The flow with this uuid.")
    var uuid: [String] = []
}
