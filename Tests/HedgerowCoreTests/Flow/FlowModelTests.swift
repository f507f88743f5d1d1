import HedgerowCore
import Testing

@Suite struct FlowModelTests {
    @Test func summariesReadLikeHubbles() {
        #expect(FlowSummary.text(for: FlowSamples.tcp(flags: [.syn, .ack])) == "TCP Flags: SYN, ACK")
        #expect(FlowSummary.text(for: FlowSamples.tcp(flags: [.fin, .ack, .psh])) == "TCP Flags: ACK, FIN, PSH")
        #expect(FlowSummary.text(for: FlowSamples.udpToWorld) == "UDP")
        #expect(FlowSummary.text(for: FlowSamples.ping) == "ICMPv6 EchoRequest")
        var ping4 = FlowSamples.ping
        ping4.l4 = .icmpv4(type: 3, code: 3)
        #expect(FlowSummary.text(for: ping4) == "ICMPv4 DestinationUnreachable(Port)")
    }

    @Test func dropReasonsUseHubblesText() {
        #expect(DropReason.policyDenied.description == "Policy denied")
        #expect(DropReason.policyDeny.description == "Policy denied by denylist")
        #expect(DropReason(rawValue: 250).description == "250")
    }

    @Test func observationPointsMapToProtoNumbers() {
        #expect(TraceObservationPoint.toEndpoint.protoNumber == 101)
        #expect(TraceObservationPoint.fromEndpoint.protoNumber == 5)
        #expect(TraceObservationPoint(name: "to-stack") == .toStack)
    }

    @Test func uuidsAreDistinctVersion4Strings() {
        let ids = (0..<1000 as Range<UInt64>).map { FlowUUID(seed: 42, sequence: $0).description }
        #expect(Set(ids).count == 1000)
        let id = ids[7]
        #expect(id.count == 36)
        let characters = Array(id)
        #expect(characters[14] == "4")
        #expect("89ab".contains(characters[19]))
    }

    @Test func timestampsSplitNanoseconds() {
        #expect(FlowTimestamp(nanosecondsSinceEpoch: 1_500_000_000) == FlowTimestamp(seconds: 1, nanos: 500_000_000))
        #expect(FlowTimestamp(nanosecondsSinceEpoch: -1) == FlowTimestamp(seconds: -1, nanos: 999_999_999))
    }

    @Test func labelsOfPodsAndReservedIdentities() {
        #expect(FlowSamples.a.labels.map(\.description) == ["k8s:app=a", "k8s:tier=front"])
        #expect(FlowEndpoint.reserved(.world).labels.map(\.description) == ["reserved:world"])
    }
}
