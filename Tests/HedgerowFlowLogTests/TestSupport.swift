import Foundation
import HedgerowCore
import Testing
@testable import HedgerowFlowLog

/// A fresh directory under /tmp, removed by `remove()` (call it in `defer`).
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/hedgerow-flowlog-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FlowLogError(path: "/tmp", reason: "mkdtemp failed") }
        path = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func segmentPaths() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".hfl") }.sorted {
            SegmentName(fileName: $0)!.sequence < SegmentName(fileName: $1)!.sequence
        }.map { path + "/" + $0 }
    }
}

func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
}

func truncateFile(_ path: String, to length: Int) throws {
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: UInt64(length))
    try handle.close()
}

func appendBytes(_ bytes: [UInt8], to path: String) throws {
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
    try handle.close()
}

func flipByte(at offset: Int, in path: String) throws {
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    data[offset] ^= 0xFF
    try data.write(to: URL(fileURLWithPath: path))
}

/// Every field set, with values that stress the encoding (negative numbers, IPv6, max values).
func fullyPopulatedFlow() -> Flow {
    let reference = PolicyReference(name: "allow-web", namespace: "shop", kind: "CiliumNetworkPolicy", revision: 42)
    return Flow(
        time: FlowTimestamp(seconds: 1_790_000_000, nanos: 999_999_999),
        uuid: FlowUUID(seed: 0xDEAD_BEEF, sequence: 7), verdict: .dropped, dropReason: .policyDenied,
        ethernet: EthernetAddresses(source: "aa:bb:cc:dd:ee:ff", destination: "11:22:33:44:55:66"),
        ip: FlowIP(source: IPAddress("fd00::1")!, destination: IPAddress("2001:db8::ffff:1")!, encrypted: true),
        l4: .tcp(sourcePort: 65535, destinationPort: 443, flags: [.syn, .ack, .ns]),
        source: .pod(id: 1234, identity: SecurityIdentity(rawValue: 70000), namespace: "shop", name: "web-7d9f", labels: ["app": "web", "tier": "front"]),
        destination: .reserved(.world),
        sourceService: ServiceName(namespace: "shop", name: "web"),
        destinationService: ServiceName(namespace: "kube-system", name: "kube-dns"),
        sourceNames: ["web.shop.svc", "ünïcödé.example"], destinationNames: ["example.com"],
        nodeName: "node-1", isReply: false, eventType: .drop(.policyDenied), trafficDirection: .egress,
        observationPoint: .toNetwork, policyMatchType: UInt32.max,
        interface: FlowInterface(index: 17, name: "hr-lxc0"),
        policies: FlowPolicies(
            egressAllowedBy: [reference], ingressAllowedBy: [reference, reference],
            egressDeniedBy: [PolicyReference(name: "deny", namespace: "", kind: "NetworkPolicy")],
            ingressDeniedBy: []))
}

func minimalFlow(nanoseconds: Int64 = 0) -> Flow {
    Flow(
        time: FlowTimestamp(nanosecondsSinceEpoch: nanoseconds), verdict: .unknown, ip: nil, l4: nil,
        source: FlowEndpoint(identity: .any), destination: FlowEndpoint(identity: .any), isReply: nil,
        eventType: FlowEventType(type: 0, subType: 0))
}

/// A plain forwarded TCP flow at `seconds`, distinguishable by `port`.
func simpleFlow(seconds: Int64, nanos: Int32 = 0, port: UInt16 = 80, verdict: Verdict = .forwarded) -> Flow {
    Flow(
        time: FlowTimestamp(seconds: seconds, nanos: nanos), verdict: verdict,
        ip: FlowIP(source: .v4(0x0A00_0001), destination: .v4(0x0A00_0002)),
        l4: .tcp(sourcePort: 40000, destinationPort: port, flags: [.syn]),
        source: .pod(identity: SecurityIdentity(rawValue: 300), namespace: "default", name: "client", labels: ["app": "client"]),
        destination: .pod(identity: SecurityIdentity(rawValue: 301), namespace: "default", name: "server", labels: ["app": "server"]),
        isReply: false, eventType: .trace(.toEndpoint))
}

func readAll(_ directory: String, since: FlowTimestamp? = nil, until: FlowTimestamp? = nil, where filter: ((Flow) -> Bool)? = nil) throws -> (flows: [Flow], stats: FlowLogReadStats) {
    var flows: [Flow] = []
    let stats = try FlowLogReader(directory: directory).read(since: since, until: until, where: filter) { flows.append($0) }
    return (flows, stats)
}
