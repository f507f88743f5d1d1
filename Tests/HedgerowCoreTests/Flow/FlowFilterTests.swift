import HedgerowCore
import Testing

@Suite struct FlowFilterTests {
    @Test func anEmptyFilterMatchesEverything() {
        #expect(selected(FlowFilter()) == [0, 1, 2, 3, 4])
    }

    @Test func sourceAndDestinationIPExactAndCIDR() throws {
        #expect(selected(try filter { $0.sourceIPs = [try IPFilterValue(parsing: "10.0.1.5", field: "source_ip")] }) == [0, 1, 2])
        #expect(selected(try filter { $0.destinationIPs = [try IPFilterValue(parsing: "8.8.0.0/16", field: "destination_ip")] }) == [2])
        // Host bits in a CIDR are accepted, as Hubble accepts them.
        #expect(selected(try filter { $0.destinationIPs = [try IPFilterValue(parsing: "10.0.2.1/24", field: "d")] }) == [0, 1])
        #expect(selected(try filter { $0.sourceIPs = [try IPFilterValue(parsing: "fd00::/64", field: "s")] }) == [4])
        #expect(throws: FlowFilterError.self) { try IPFilterValue(parsing: "10.0.0.300", field: "source_ip") }
        #expect(throws: FlowFilterError.self) { try IPFilterValue(parsing: "10.0.0.0/33", field: "source_ip") }
    }

    @Test func podsByNamespaceAndPrefix() throws {
        #expect(selected(try filter { $0.sourcePods = [try NamespacedPrefix(parsing: "x/", field: "source_pod")] }) == [0, 1, 2, 4])
        #expect(selected(try filter { $0.sourcePods = [try NamespacedPrefix(parsing: "y/b-", field: "source_pod")] }) == [3])
        #expect(selected(try filter { $0.destinationPods = [try NamespacedPrefix(parsing: "y/c", field: "p")] }) == [])
        // No namespace means "default".
        #expect(selected(try filter { $0.sourcePods = [try NamespacedPrefix(parsing: "a", field: "p")] }) == [])
        // "/" (--all-namespaces) is any pod, never world.
        #expect(selected(try filter { $0.destinationPods = [try NamespacedPrefix(parsing: "/", field: "p")] }) == [0, 1, 3, 4])
        #expect(throws: FlowFilterError.self) { try NamespacedPrefix(parsing: "", field: "source_pod") }
    }

    @Test func labelSelectors() throws {
        let byLabel = { (text: String) throws -> [Int] in
            try selected(filter { $0.sourceLabels = [try FlowLabelSelector(parsing: text)] })
        }
        #expect(try byLabel("app=a") == [0, 1, 2, 4])
        #expect(try byLabel("k8s:app=b") == [3])
        #expect(try byLabel("app in (b, c),tier=back") == [3])
        #expect(try byLabel("app notin (a)") == [3])
        #expect(try byLabel("app!=a") == [3])
        #expect(try byLabel("tier") == [0, 1, 2, 3, 4])
        #expect(try byLabel("!tier") == [])
        #expect(try selected(filter { $0.destinationLabels = [try FlowLabelSelector(parsing: "reserved:world")] }) == [2])
        // OR within the field.
        #expect(try selected(filter { $0.sourceLabels = [try FlowLabelSelector(parsing: "app=b"), try FlowLabelSelector(parsing: "app=zz")] }) == [3])
        #expect(throws: FlowFilterError.self) { try FlowLabelSelector(parsing: "app in b") }
        #expect(throws: FlowFilterError.self) { try FlowLabelSelector(parsing: "app=a,,") }
    }

    @Test func identitiesPortsAndProtocols() throws {
        #expect(selected(filter { $0.destinationIdentities = [.world] }) == [2])
        #expect(selected(filter { $0.sourceIdentities = [SecurityIdentity(rawValue: 257)] }) == [3])
        #expect(try SecurityIdentity(filterValue: "world") == .world)
        #expect(try SecurityIdentity(filterValue: "reserved:host") == .host)
        #expect(throws: FlowFilterError.self) { try SecurityIdentity(filterValue: "martians") }
        #expect(selected(filter { $0.destinationPorts = [80, 53] }) == [0, 1, 2])
        #expect(selected(filter { $0.sourcePorts = [40000] }) == [3])
        #expect(selected(try filter { $0.protocols = [try FlowProtocol(parsing: "UDP")] }) == [2])
        #expect(selected(filter { $0.protocols = [.icmp] }) == [4])
        #expect(selected(filter { $0.protocols = [.http] }) == [])
        #expect(throws: FlowFilterError.self) { try FlowProtocol(parsing: "gopher") }
    }

    @Test func verdictsFlagsRepliesDirectionsNodesAndTypes() throws {
        #expect(selected(filter { $0.verdicts = [.dropped] }) == [3])
        #expect(Verdict(name: "forwarded") == .forwarded && Verdict(name: "FOO") == nil)
        #expect(selected(try filter { $0.tcpFlags = [try TCPFlags(parsing: "syn,ack")] }) == [1])
        #expect(selected(try filter { $0.tcpFlags = [try TCPFlags(parsing: "SYN")] }) == [0, 1, 3])
        #expect(throws: FlowFilterError.self) { try TCPFlags(parsing: "syn,xmas") }
        // A drop with an unknown direction counts as "not a reply"; other unknowns never match.
        #expect(selected(filter { $0.replies = [false] }) == [0, 2, 3, 4])
        #expect(selected(filter { $0.replies = [true] }) == [1])
        #expect(selected(filter { $0.trafficDirections = [.egress] }) == [2])
        #expect(selected(try filter { $0.nodeNames = [try NodeNamePattern(parsing: "node-2")] }) == [3])
        #expect(selected(try filter { $0.nodeNames = [try NodeNamePattern(parsing: "default/node-*")] }) == [0, 1, 2, 3, 4])
        #expect(selected(try filter { $0.nodeNames = [try NodeNamePattern(parsing: "other/")] }) == [])
        #expect(selected(try filter { $0.eventTypes = [try EventTypeMatch(parsing: "drop")] }) == [3])
        #expect(selected(try filter { $0.eventTypes = [try EventTypeMatch(parsing: "trace:to-stack")] }) == [2])
        #expect(selected(try filter { $0.eventTypes = [try EventTypeMatch(parsing: "4:0")] }) == [0, 1, 4])
        #expect(throws: FlowFilterError.self) { try EventTypeMatch(parsing: "bogus") }
    }

    @Test func servicesFQDNsVersionsAndLayer7() throws {
        #expect(selected(try filter { $0.sourceServices = [try NamespacedPrefix(parsing: "y/b", field: "s")] }) == [3])
        #expect(selected(filter { $0.destinationFQDNs = ["*.google"] }) == [2])
        #expect(selected(filter { $0.ipVersions = [.ipv6] }) == [4])
        #expect(selected(filter { $0.requiresLayer7 = true }) == [])
    }

    @Test func fieldsAreANDedAndValuesORed() {
        let both = filter {
            $0.verdicts = [.forwarded, .dropped]
            $0.destinationPorts = [8080, 53]
        }
        #expect(selected(both) == [2, 3])
    }

    @Test func anyWhitelistFilterAdmitsAndTheBlacklistWins() {
        let udp = filter { $0.protocols = [.udp] }
        let drops = filter { $0.verdicts = [.dropped] }
        let fromA = filter { $0.sourceIdentities = [SecurityIdentity(rawValue: 256)] }
        let set = FlowFilterSet(whitelist: [udp, drops], blacklist: [])
        #expect(FlowSamples.all.indices.filter { set.allows(FlowSamples.all[$0]) } == [2, 3])
        let blacklisted = FlowFilterSet(whitelist: [udp, drops], blacklist: [fromA])
        #expect(FlowSamples.all.indices.filter { blacklisted.allows(FlowSamples.all[$0]) } == [3])
        let onlyBlacklist = FlowFilterSet(blacklist: [fromA])
        #expect(FlowSamples.all.indices.filter { onlyBlacklist.allows(FlowSamples.all[$0]) } == [3])
    }

    @Test func errorsNameTheFieldAndValue() {
        let error = #expect(throws: FlowFilterError.self) { try IPFilterValue(parsing: "nope", field: "destination_ip") }
        #expect(error?.description == "destination_ip \"nope\": not an IP address or CIDR")
    }
}
