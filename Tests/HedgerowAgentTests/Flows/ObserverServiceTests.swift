import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HedgerowAPI
import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowAgent

/// The Observer service over real gRPC on a unix socket: the generated client, and a raw-bytes
/// client that checks Hubble's field numbers on the wire.
@Suite struct ObserverServiceTests {
    /// Serves `store` on a fresh unix socket for the duration of `body`.
    static func withServer<T: Sendable>(
        store: FlowStore, _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let path = NSTemporaryDirectory() + UniqueName.make("hobs") + ".sock"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .unixDomainSocket(path: path), transportSecurity: .plaintext),
            services: [ObserverService(store: store, nodeName: "node-1", version: "hedgerow-test")])
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.serve()
                return nil
            }
            _ = try await server.listeningAddress
            let result = try await body(path)
            server.beginGracefulShutdown()
            group.cancelAll()
            return result
        }
    }

    @Test func getFlowsWithTheGeneratedClient() async throws {
        let store = try FlowTestData.store(capacity: 15, flows: 1...9)
        let flows = try await Self.withServer(store: store) { path in
            try await withObserver(.unixSocket(path: path)) { client in
                let request = Observer_GetFlowsRequest.with {
                    $0.number = 3
                    $0.whitelist = [.with { $0.verdict = [.forwarded] }]
                }
                return try await client.getFlows(request) { response in
                    var received: [Observer_GetFlowsResponse] = []
                    for try await message in response.messages { received.append(message) }
                    return received
                }
            }
        }
        #expect(flows.map { $0.flow.l4.tcp.sourcePort } == [5, 7, 8])
        let first = try #require(flows.first)
        #expect(first.nodeName == "node-1")
        #expect(first.time == first.flow.time)
        #expect(first.flow.source.podName == "a" && first.flow.source.namespace == "x")
        #expect(first.flow.source.labels == ["k8s:app=a"])
        #expect(first.flow.destination.identity == 257)
        #expect(first.flow.verdict == .forwarded && first.flow.traceObservationPoint == .toEndpoint)
        #expect(first.flow.eventType.type == 4 && first.flow.eventType.subType == 0)
        #expect(first.flow.isReply.value == false && first.flow.hasIsReply)
        #expect(first.flow.summary == "TCP Flags: SYN")
        #expect(first.flow.uuid.count == 36)
    }

    @Test func serverStatusAndNodesReportTheStore() async throws {
        let store = try FlowTestData.store(capacity: 7, flows: 1...20)
        store.ingestLost(source: .perfEventRingBuffer, count: 4)
        let (status, nodes) = try await Self.withServer(store: store) { path in
            try await withObserver(.unixSocket(path: path)) { client in
                (try await client.serverStatus(Observer_ServerStatusRequest()), try await client.getNodes(Observer_GetNodesRequest()))
            }
        }
        #expect(status.numFlows == 7 && status.maxFlows == 7 && status.seenFlows == 20)
        #expect(status.version == "hedgerow-test" && status.uptimeNs > 0)
        #expect(status.hedgerowDatapathLostEvents == 4)
        #expect(nodes.nodes.map(\.name) == ["node-1"])
        #expect(nodes.nodes.first?.state == .nodeConnected && nodes.nodes.first?.seenFlows == 20)
    }

    @Test func badFiltersAreInvalidArgumentNamingTheField() async throws {
        let store = try FlowStore(capacity: 7)
        let error = try await Self.withServer(store: store) { path in
            try await withObserver(.unixSocket(path: path)) { client in
                let request = Observer_GetFlowsRequest.with {
                    $0.whitelist = [.init(), .with { $0.destinationIp = ["10.0.0.999"] }]
                }
                do {
                    try await client.getFlows(request) { response in
                        for try await _ in response.messages {}
                    }
                    return nil as RPCError?
                } catch let error as RPCError {
                    return error
                }
            }
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("whitelist[1].destination_ip") == true)
    }

    /// What a client generated from Hubble's own flow.proto/observer.proto sees: the method path
    /// and the field numbers, read from raw bytes without Hedgerow's generated code.
    @Test func wireFormatUsesHubblesFieldNumbers() async throws {
        let store = try FlowStore(capacity: 15)
        var flow = FlowTestData.flow(1)
        flow.isReply = true
        flow.l4 = .tcp(sourcePort: 43210, destinationPort: 80, flags: [.syn, .ack])
        store.ingest(flow)
        store.ingest(FlowTestData.flow(3))  // a policy drop
        store.ingestLost(source: .perfEventRingBuffer, count: 7, cpu: 1)

        let (responses, statusBytes) = try await Self.withServer(store: store) { path in
            let transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: path), transportSecurity: .plaintext)
            return try await withGRPCClient(transport: transport) { client in
                let request = ClientRequest(message: [UInt8]())  // empty GetFlowsRequest: every flow
                let flows = try await client.serverStreaming(
                    request: request, descriptor: MethodDescriptor(fullyQualifiedService: "observer.Observer", method: "GetFlows"),
                    serializer: RawBytes(), deserializer: RawBytes(), options: .defaults
                ) { response in
                    var all: [[UInt8]] = []
                    for try await message in response.messages { all.append(message) }
                    return all
                }
                let status = try await client.unary(
                    request: ClientRequest(message: [UInt8]()),
                    descriptor: MethodDescriptor(fullyQualifiedService: "observer.Observer", method: "ServerStatus"),
                    serializer: RawBytes(), deserializer: RawBytes(), options: .defaults
                ) { try $0.message }
                return (flows, status)
            }
        }
        #expect(responses.count == 3)

        let response = try WireMessage(responses[0])
        #expect(response.string(1000) == "node-1")  // GetFlowsResponse.node_name
        let responseTime = try #require(try response.message(1001))  // GetFlowsResponse.time
        #expect(responseTime.varint(1) == 1_700_000_001)
        let wireFlow = try #require(try response.message(1))  // GetFlowsResponse.flow
        let time = try #require(try wireFlow.message(1))
        #expect(time.varint(1) == 1_700_000_001 && time.varint(2) == 5_000_000)
        #expect(wireFlow.varint(2) == 1)  // verdict FORWARDED
        let ip = try #require(try wireFlow.message(5))
        #expect(ip.string(1) == "10.0.1.5" && ip.string(2) == "10.0.2.7" && ip.varint(3) == 1)
        let tcp = try #require(try wireFlow.message(6)?.message(1))  // l4.TCP
        #expect(tcp.varint(1) == 43210 && tcp.varint(2) == 80)
        let flags = try #require(try tcp.message(3))
        #expect(flags.varint(2) == 1 && flags.varint(5) == 1 && flags.varint(1) == nil)  // SYN, ACK, no FIN
        let source = try #require(try wireFlow.message(8))
        #expect(source.varint(1) == 3 && source.varint(2) == 256)  // ID, identity
        #expect(source.string(3) == "x" && source.strings(4) == ["k8s:app=a"] && source.string(5) == "a")
        #expect(try wireFlow.message(9)?.varint(2) == 257)  // destination.identity
        #expect(wireFlow.varint(10) == 1)  // Type L3_L4
        #expect(wireFlow.string(11) == "node-1")
        #expect(wireFlow.varint(16) == 1)  // deprecated reply
        let eventType = try #require(try wireFlow.message(19))
        #expect(eventType.varint(1) == 4 && eventType.varint(2) == nil)  // trace, sub-type 0 (to-endpoint)
        #expect(wireFlow.varint(22) == 1)  // traffic_direction INGRESS
        #expect(wireFlow.varint(24) == 101)  // trace_observation_point TO_ENDPOINT
        #expect(try wireFlow.message(26)?.varint(1) == 1)  // is_reply BoolValue(true)
        #expect(wireFlow.string(34)?.count == 36)  // uuid
        #expect(wireFlow.string(100000) == "TCP Flags: SYN, ACK")  // Summary

        let drop = try #require(try WireMessage(responses[1]).message(1))
        #expect(drop.varint(2) == 2)  // DROPPED
        #expect(drop.varint(3) == 133 && drop.varint(25) == 133)  // drop_reason, drop_reason_desc POLICY_DENIED
        #expect(try drop.message(19)?.varint(1) == 1 && (try drop.message(19)?.varint(2)) == 133)

        let lost = try #require(try WireMessage(responses[2]).message(3))  // GetFlowsResponse.lost_events
        #expect(lost.varint(1) == 1 && lost.varint(2) == 7)  // PERF_EVENT_RING_BUFFER, 7 lost
        #expect(try lost.message(3)?.varint(1) == 1)  // cpu Int32Value

        let status = try WireMessage(statusBytes)
        #expect(status.varint(1) == 3 && status.varint(2) == 15 && status.varint(3) == 2)  // num, max, seen
        #expect((status.varint(4) ?? 0) > 0)  // uptime_ns
        #expect(status.string(8) == "hedgerow-test")  // version
    }
}

/// Passes message bytes through untouched.
struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
