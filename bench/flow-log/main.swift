// Flow history on disk: write throughput, bytes per flow, and `--since 1h` query time.
//
//   swift run -c release bench-flow-log [--flows N] [--output bench/results/flow-log.json]
//
// Writes N (default 1,000,000) flows spread evenly over the 4 hours before now into a fresh
// temporary directory, with default FlowLogOptions (zlib level 6, 1024-flow / 64 KiB blocks,
// 16 MiB segments), then times reading the last hour with and without a filter.
// Prints a table and writes JSON; nothing here asserts a speed.
import Foundation
import HedgerowCore
import HedgerowFlowLog

let arguments = CommandLine.arguments
let flowCount = arguments.firstIndex(of: "--flows").flatMap { Int(arguments[$0 + 1]) } ?? 1_000_000
let output = arguments.firstIndex(of: "--output").map { arguments[$0 + 1] } ?? "bench/results/flow-log.json"
let span: Int64 = 4 * 3600 * 1_000_000_000
let hour: Int64 = 3600 * 1_000_000_000

// MARK: Workload: a small cluster's traffic as the enricher reports it

/// 60 pods in 6 namespaces; endpoints built once and shared between flows, as the agent's
/// enricher caches them per pod.
let namespaces = ["shop", "payments", "auth", "search", "monitoring", "kube-system"]
let apps = ["web", "api", "db", "cache", "worker", "gateway", "indexer", "exporter", "dns", "queue"]
let pods: [FlowEndpoint] = (0..<60).map { index in
    let app = apps[index % apps.count]
    let namespace = namespaces[index / 10]
    return .pod(
        id: UInt32(100 + index), identity: SecurityIdentity(rawValue: UInt32(256 + index / 2)), namespace: namespace,
        name: "\(app)-\(String(0x7F3A_9C00 + index * 7919, radix: 36))-\(String(index * 31 % 997, radix: 36))",
        labels: ["app": app, "pod-template-hash": String(0x5D_8E00 + index, radix: 16), "tier": index % 3 == 0 ? "front" : "back"])
}
let world = FlowEndpoint.reserved(.world)
let services = pods.map { ServiceName(namespace: $0.namespace, name: $0.labels.first { $0.key == "app" }?.value ?? "") }
let allowPolicy = FlowPolicies(ingressAllowedBy: [PolicyReference(name: "allow-same-namespace", namespace: "shop", kind: "NetworkPolicy", revision: 3)])
let denyPolicy = FlowPolicies(ingressDeniedBy: [PolicyReference(name: "default-deny", namespace: "payments", kind: "CiliumNetworkPolicy", revision: 1)])
let seed: UInt64 = 0x1234_5678_9ABC_DEF0
let start = Int64(Date().timeIntervalSince1970 * 1e9) - span

/// A deterministic pseudo-random stream (xorshift), so runs are comparable.
struct Random {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    mutating func next(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }
}

@MainActor func makeFlow(_ index: Int, _ random: inout Random) -> Flow {
    let source = random.next(20) == 0 ? world : pods[random.next(pods.count)]
    let targetIndex = random.next(pods.count)
    let destination = pods[targetIndex]
    let roll = random.next(100)
    let verdict: Verdict = roll < 90 ? .forwarded : roll < 98 ? .dropped : .translated
    let reply = random.next(2) == 0
    let port: UInt16 = [80, 443, 5432, 6379, 53, 8080][targetIndex % 6]
    let ephemeral = UInt16(32768 + random.next(28000))
    let l4: Layer4 =
        port == 53
        ? .udp(sourcePort: ephemeral, destinationPort: 53)
        : .tcp(sourcePort: reply ? port : ephemeral, destinationPort: reply ? ephemeral : port, flags: reply ? [.ack] : [.syn])
    let sourceAddress = IPAddress.v4(source.id == 0 ? 0xC633_6400 + UInt32(random.next(256)) : 0x0A2A_0000 + source.id)
    return Flow(
        time: FlowTimestamp(nanosecondsSinceEpoch: start + span / Int64(flowCount) * Int64(index)),
        uuid: FlowUUID(seed: seed, sequence: UInt64(index)), verdict: verdict,
        dropReason: verdict == .dropped ? .policyDenied : nil,
        ip: FlowIP(source: sourceAddress, destination: .v4(0x0A2A_0000 + destination.id)), l4: l4,
        source: source, destination: destination,
        destinationService: verdict == .translated ? services[targetIndex] : nil,
        nodeName: "node-1", isReply: reply,
        eventType: verdict == .dropped ? .drop(.policyDenied) : .trace(.toEndpoint),
        trafficDirection: .ingress, observationPoint: verdict == .dropped ? nil : .toEndpoint,
        policies: verdict == .dropped ? denyPolicy : roll < 30 ? allowPolicy : FlowPolicies())
}

// MARK: Measurements

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

var template = Array("/tmp/bench-flow-log-XXXXXX".utf8CString)
let directory = String(cString: mkdtemp(&template)!)
defer { try? FileManager.default.removeItem(atPath: directory) }

var random = Random()
var batches: [[Flow]] = []
for first in stride(from: 0, to: flowCount, by: 1024) {
    batches.append((first..<min(first + 1024, flowCount)).map { makeFlow($0, &random) })
}

let clock = ContinuousClock()
var options = FlowLogOptions()
options.maxTotalBytes = 1 << 40  // keep everything: the benchmark measures, retention is tested
let log = try FlowLog.open(directory: directory, options: options)
let writeTime = try clock.measure {
    for batch in batches { try log.append(batch) }
    try log.close()
}
let writeRate = Double(flowCount) / seconds(writeTime)
let bytesPerFlow = Double(log.totalBytes) / Double(flowCount)

struct QueryResult: Codable {
    var name: String
    var matched: Int
    var blocksRead: Int
    var blocksSkippedByIndex: Int
    var flowsDecoded: Int
    var medianMilliseconds: Double
    var minMilliseconds: Double
}

let reader = FlowLogReader(directory: directory)
let targetPod = pods[7].podName
@MainActor func query(_ name: String, since: Int64, filter: ((Flow) -> Bool)?) throws -> QueryResult {
    var samples: [Double] = []
    var stats = FlowLogReadStats()
    var matched = 0
    for _ in 0..<5 {
        matched = 0
        let elapsed = try clock.measure {
            stats = try reader.read(since: FlowTimestamp(nanosecondsSinceEpoch: since), where: filter) { _ in matched += 1 }
        }
        samples.append(seconds(elapsed) * 1e3)
    }
    samples.sort()
    return QueryResult(
        name: name, matched: matched, blocksRead: stats.blocksRead, blocksSkippedByIndex: stats.blocksSkippedByIndex,
        flowsDecoded: stats.flowsDecoded, medianMilliseconds: samples[samples.count / 2], minMilliseconds: samples[0])
}

let lastHour = start + span - hour
let dropsOfPod: (Flow) -> Bool = { $0.verdict == .dropped && ($0.source.podName == targetPod || $0.destination.podName == targetPod) }
let queries = [
    try query("since 1h, no filter", since: lastHour, filter: nil),
    try query("since 1h, verdict DROPPED and pod \(targetPod)", since: lastHour, filter: dropsOfPod),
    try query("all 4h, no filter", since: start, filter: nil),
]

// MARK: Report

print("flow log: \(flowCount) flows over 4 h, \(log.stats.blocksWritten) blocks in \(log.stats.segmentsCreated) segments")
print(String(format: "write: %.0f flows/s (%.2f s), %.1f bytes/flow on disk (%.1f MiB)", writeRate, seconds(writeTime), bytesPerFlow, Double(log.totalBytes) / 1_048_576))
print("query                                              matched   blocks read/skipped   median ms   min ms")
for result in queries {
    print(
        result.name.padding(toLength: 50, withPad: " ", startingAt: 0),
        String(format: "%8d   %8d / %-8d   %9.1f   %6.1f", result.matched, result.blocksRead, result.blocksSkippedByIndex, result.medianMilliseconds, result.minMilliseconds))
}

struct Report: Codable {
    var flows: Int
    var spanHours: Int
    var blocks: Int
    var segments: Int
    var writeFlowsPerSecond: Double
    var writeSeconds: Double
    var bytesOnDisk: Int
    var bytesPerFlow: Double
    var queries: [QueryResult]
}
let report = Report(
    flows: flowCount, spanHours: 4, blocks: log.stats.blocksWritten, segments: log.stats.segmentsCreated,
    writeFlowsPerSecond: writeRate.rounded(), writeSeconds: seconds(writeTime), bytesOnDisk: log.totalBytes,
    bytesPerFlow: bytesPerFlow, queries: queries)
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try encoder.encode(report).write(to: URL(fileURLWithPath: output))
print("\nwrote \(output)")
