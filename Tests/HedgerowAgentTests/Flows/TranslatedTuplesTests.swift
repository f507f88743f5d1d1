import CHedgerowABI
import HedgerowCore
@testable import HedgerowDatapath
import Testing

@testable import HedgerowAgent

/// The service of a socket-translated connection is known where the client's socket is (its
/// veth); the backend's veth sees the same tuple untranslated and must still name the service.
@Suite struct TranslatedTuplesTests {
    static func event(
        from source: String, _ sourcePort: UInt16, to destination: String, _ destinationPort: UInt16,
        service: UInt16? = nil, reply: Bool = false
    ) throws -> FlowEvent {
        var raw = hedgerow_flow_event()
        raw.saddr = ABIAddress.bytes(IPAddress(source)!)
        raw.daddr = ABIAddress.bytes(IPAddress(destination)!)
        raw.sport = sourcePort.bigEndian
        raw.dport = destinationPort.bigEndian
        raw.ip_version = UInt8(HEDGEROW_IPV4.rawValue)
        raw.protocol = 6
        raw.verdict = UInt8(HEDGEROW_VERDICT_FORWARDED.rawValue)
        var flags = reply ? HEDGEROW_FLOW_F_REPLY.rawValue : 0
        if let service {
            flags |= HEDGEROW_FLOW_F_TRANSLATED.rawValue
            raw.rev_nat_id = service
            raw.orig_daddr = ABIAddress.bytes(IPAddress("10.96.0.10")!)
            raw.orig_dport = UInt16(80).bigEndian
        }
        raw.flags = UInt8(flags)
        return try FlowEvent(record: withUnsafeBytes(of: raw) { Array($0) })
    }

    @Test func untranslatedEventsOfATranslatedTupleGetItsService() throws {
        var tuples = TranslatedTuples()
        #expect(tuples.service(for: try Self.event(from: "10.244.1.2", 40000, to: "10.244.1.5", 8080, service: 7)) == 7)
        // The backend's veth: same tuple, no translation visible there (a drop, say).
        #expect(tuples.service(for: try Self.event(from: "10.244.1.2", 40000, to: "10.244.1.5", 8080)) == 7)
        // Its reply, the other way round.
        #expect(tuples.service(for: try Self.event(from: "10.244.1.5", 8080, to: "10.244.1.2", 40000, reply: true)) == 7)
        // Another connection is not that service's.
        #expect(tuples.service(for: try Self.event(from: "10.244.1.2", 40001, to: "10.244.1.5", 8080)) == nil)
    }

    @Test func theOldestTuplesAreForgottenFirst() throws {
        var tuples = TranslatedTuples(capacity: 2)
        for port: UInt16 in 1...3 {
            _ = tuples.service(for: try Self.event(from: "10.0.0.1", port, to: "10.0.0.2", 80, service: port))
        }
        #expect(tuples.count == 2)
        #expect(tuples.service(for: try Self.event(from: "10.0.0.1", 1, to: "10.0.0.2", 80)) == nil)
        #expect(tuples.service(for: try Self.event(from: "10.0.0.1", 3, to: "10.0.0.2", 80)) == 3)
    }
}
