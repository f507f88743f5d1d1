import HedgerowCore
import Testing
@testable import HedgerowFlowLog

@Suite struct FlowRecordCodingTests {
    func roundTrip(_ flows: [Flow]) throws -> [Flow] {
        var encoder = FlowRecordEncoder()
        var writer = ByteWriter()
        for flow in flows { encoder.append(flow, to: &writer) }
        var decoder = FlowRecordDecoder()
        var decoded: [Flow] = []
        try writer.bytes.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes)
            while !reader.isAtEnd { decoded.append(try decoder.decode(bytes, try reader.lengthPrefixedRange())) }
        }
        return decoded
    }

    @Test func fullyPopulatedFlowRoundTrips() throws {
        let flow = fullyPopulatedFlow()
        let decoded = try roundTrip([flow])
        #expect(decoded == [flow])
        // Spot checks that equality did compare the parts kept out of line.
        #expect(decoded[0].sourceNames == ["web.shop.svc", "ünïcödé.example"])
        #expect(decoded[0].policies.ingressAllowedBy.count == 2)
        #expect(decoded[0].uuid == flow.uuid)
    }

    @Test func minimalFlowRoundTripsKeepingNils() throws {
        let flow = minimalFlow()
        let decoded = try #require(try roundTrip([flow]).first)
        #expect(decoded == flow)
        #expect(decoded.ip == nil && decoded.l4 == nil && decoded.isReply == nil && decoded.dropReason == nil)
        #expect(decoded.sourceService == nil && decoded.ethernet == nil && decoded.interface == nil)
    }

    @Test func presentDefaultsStayPresent() throws {
        var flow = minimalFlow(nanoseconds: -1_500_000_000)
        flow.isReply = false
        flow.dropReason = DropReason(rawValue: 0)
        flow.observationPoint = .toEndpoint
        flow.sourceService = ServiceName(namespace: "", name: "")
        flow.interface = FlowInterface(index: 0, name: "")
        flow.ethernet = EthernetAddresses(source: "", destination: "")
        flow.source = FlowEndpoint(identity: .any, labels: [FlowLabel(source: "", key: "", value: "")])
        #expect(try roundTrip([flow]) == [flow])
    }

    @Test func everyLayer4KindRoundTrips() throws {
        let kinds: [Layer4] = [
            .tcp(sourcePort: 0, destinationPort: 0, flags: []), .tcp(sourcePort: 1, destinationPort: 2, flags: [.fin, .rst, .psh, .urg, .ece, .cwr]),
            .udp(sourcePort: 53, destinationPort: 5353), .sctp(sourcePort: 9, destinationPort: 65535),
            .icmpv4(type: 8, code: 0), .icmpv6(type: 255, code: 255),
        ]
        let flows = kinds.map { kind -> Flow in
            var flow = minimalFlow()
            flow.l4 = kind
            return flow
        }
        #expect(try roundTrip(flows) == flows)
    }

    @Test func everyEnumCaseRoundTrips() throws {
        var flows: [Flow] = []
        for verdict in Verdict.allCases {
            var flow = minimalFlow()
            flow.verdict = verdict
            flows.append(flow)
        }
        for direction in FlowTrafficDirection.allCases {
            var flow = minimalFlow()
            flow.trafficDirection = direction
            flows.append(flow)
        }
        for point in TraceObservationPoint.allCases {
            var flow = minimalFlow()
            flow.observationPoint = point
            flow.eventType = .trace(point)
            flows.append(flow)
        }
        for isReply in [true, false] {
            var flow = minimalFlow()
            flow.isReply = isReply
            flows.append(flow)
        }
        var negative = minimalFlow()
        negative.eventType = FlowEventType(type: -1, subType: Int32.min)
        flows.append(negative)
        var ipv4 = minimalFlow()
        ipv4.ip = FlowIP(source: .v4(0), destination: .v4(.max))
        flows.append(ipv4)
        #expect(try roundTrip(flows) == flows)
    }

    @Test func repeatedValuesAreWrittenOncePerBlock() throws {
        var flows = (0..<3).map { simpleFlow(seconds: Int64($0)) }
        flows[1].sourceService = ServiceName(namespace: "a", name: "b")
        flows[2].destinationService = ServiceName(namespace: "a", name: "b")
        flows[1].policies = fullyPopulatedFlow().policies
        flows[2].policies = fullyPopulatedFlow().policies
        var encoder = FlowRecordEncoder()
        var writer = ByteWriter()
        var sizes: [Int] = []
        for flow in flows {
            let before = writer.bytes.count
            encoder.append(flow, to: &writer)
            sizes.append(writer.bytes.count - before)
        }
        // The third record refers to the endpoints, service and policies the first two defined.
        #expect(sizes[2] < sizes[0] / 2)
        #expect(try roundTrip(flows) == flows)

        // A new block defines them again.
        encoder.startBlock()
        var second = ByteWriter()
        encoder.append(flows[0], to: &second)
        #expect(second.bytes.count == sizes[0])
    }

    @Test func referenceToAnUndefinedValueIsMalformed() throws {
        var record = ByteWriter()
        record.varint(RecordField.tag(RecordField.source, .varint))
        record.varint(0)
        var decoder = FlowRecordDecoder()
        #expect(throws: ByteReader.Malformed.self) {
            try record.bytes.withUnsafeBytes { try decoder.decode($0, 0..<$0.count) }
        }
    }

    @Test func unknownFieldsAreSkipped() throws {
        // A record from a later version: a known field, then unknown varint, bytes and fixed fields.
        var record = ByteWriter()
        record.varint(RecordField.tag(RecordField.seconds, .varint))
        record.signedVarint(5)
        record.varint(RecordField.tag(99, .varint))
        record.varint(123_456)
        record.varint(RecordField.tag(100, .bytes))
        record.string("future")
        record.varint(RecordField.tag(101, .fixed64))
        record.littleEndian(UInt64(7))
        record.varint(RecordField.tag(102, .fixed32))
        record.littleEndian(UInt32(7))
        var decoder = FlowRecordDecoder()
        let flow = try record.bytes.withUnsafeBytes { try decoder.decode($0, 0..<$0.count) }
        #expect(flow == minimalFlow(nanoseconds: 5_000_000_000))
    }

    @Test func truncatedRecordNeverDecodesAsTheWhole() throws {
        var encoder = FlowRecordEncoder()
        var writer = ByteWriter()
        let flow = fullyPopulatedFlow()
        encoder.append(flow, to: &writer)
        var decoder = FlowRecordDecoder()
        // A cut between fields is a valid shorter record; a cut inside one must throw. Either
        // way nothing reads past the cut (ByteReader bounds) and the whole flow never comes back.
        var throwing = 0
        for cut in 2..<writer.bytes.count {
            do {
                let decoded = try writer.bytes.withUnsafeBytes { bytes in
                    var reader = ByteReader(bytes)
                    _ = try reader.varint()
                    return try decoder.decode(bytes, reader.offset..<cut)
                }
                #expect(decoded != flow, "cut at \(cut)")
            } catch {
                throwing += 1
            }
        }
        #expect(throwing > writer.bytes.count / 2)
    }

    @Test func varintsRoundTripAtTheEdges() throws {
        let unsigned: [UInt64] = [0, 1, 127, 128, 16383, 16384, UInt64(UInt32.max), .max]
        let signed: [Int64] = [0, -1, 1, .min, .max, -64, 64]
        var writer = ByteWriter()
        for value in unsigned { writer.varint(value) }
        for value in signed { writer.signedVarint(value) }
        let (readUnsigned, readSigned, atEnd) = try writer.bytes.withUnsafeBytes { bytes throws -> ([UInt64], [Int64], Bool) in
            var reader = ByteReader(bytes)
            let first = try unsigned.map { _ in try reader.varint() }
            let second = try signed.map { _ in try reader.signedVarint() }
            return (first, second, reader.isAtEnd)
        }
        #expect(readUnsigned == unsigned)
        #expect(readSigned == signed)
        #expect(atEnd)
    }
}
