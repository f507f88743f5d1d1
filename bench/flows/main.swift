// Flow pipeline benchmarks: ingest throughput (synthetic decode -> enrich -> store, one core),
// GetFlows --last 4095 latency (in process and over gRPC on a unix socket), and the resident
// memory of a fresh process holding a full 65,535-flow ring. As root, also in a lab (hlab,
// hagent and hflow from this executable's directory, BPF objects from $HEDGEROW_BPF_DIR): the
// lab agent's start-to-ready time and RSS with 3 endpoints, fresh and after its first code trim
// (issue 2); `hflow observe --follow` latency from SYN to printed line; a real agent's RSS idle
// and with a full 65,535-flow ring. Prints a table; writes bench/results/flows.json (or the
// path in $HEDGEROW_BENCH_OUT).
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HedgerowAPI
import HedgerowAgent
import HedgerowCore
import SwiftProtobuf

/// What a datapath event carries before enrichment.
struct DecodedEvent {
    var source: UInt32
    var destination: UInt32
    var sourcePort: UInt16
    var destinationPort: UInt16
    var flags: UInt16
    var dropped: Bool
    var nanoseconds: Int64
}

func residentBytes() -> Int {
    let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ") ?? []
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// 200 pods in 4 namespaces; addresses outside them are world.
let endpoints: [UInt32: FlowEndpoint] = Dictionary(uniqueKeysWithValues: (0..<200).map { index in
    let namespace = "ns-\(index % 4)"
    return (UInt32(0x0A00_0000 + index), FlowEndpoint.pod(
        id: UInt32(index + 1), identity: SecurityIdentity(rawValue: 256 + UInt32(index % 50)), namespace: namespace,
        name: "app-\(index)-7d9f8c", labels: ["app": "app-\(index % 50)", "tier": index % 2 == 0 ? "front" : "back"]))
})
let world = FlowEndpoint.reserved(.world)

@inline(__always)
func enrich(_ event: DecodedEvent, node: String) -> Flow {
    Flow(
        time: FlowTimestamp(nanosecondsSinceEpoch: event.nanoseconds), verdict: event.dropped ? .dropped : .forwarded,
        dropReason: event.dropped ? .policyDenied : nil,
        ip: FlowIP(source: .v4(event.source), destination: .v4(event.destination)),
        l4: .tcp(sourcePort: event.sourcePort, destinationPort: event.destinationPort, flags: TCPFlags(rawValue: event.flags)),
        source: endpoints[event.source] ?? world, destination: endpoints[event.destination] ?? world,
        nodeName: node, isReply: false,
        eventType: event.dropped ? .drop(.policyDenied) : .trace(.toEndpoint), trafficDirection: .ingress,
        observationPoint: event.dropped ? nil : .toEndpoint)
}

func makeEvents(_ count: Int) -> [DecodedEvent] {
    var generator = SystemRandomNumberGenerator()
    let base: Int64 = 1_732_655_045_000_000_000
    return (0..<count).map { index in
        DecodedEvent(
            source: 0x0A00_0000 + UInt32.random(in: 0..<210, using: &generator),
            destination: 0x0A00_0000 + UInt32.random(in: 0..<210, using: &generator),
            sourcePort: UInt16.random(in: 32768...60999, using: &generator), destinationPort: 80, flags: 0x02,
            dropped: index % 10 == 0, nanoseconds: base + Int64(index) * 1000)
    }
}

// MARK: a fresh process holding only a full ring (`bench-flows --ring-memory`, run below)

if CommandLine.arguments.contains("--ring-memory") {
    let idle = residentBytes()
    let ring = try FlowStore(capacity: 65535)
    var generator = SystemRandomNumberGenerator()
    for index in 0..<65535 {
        let event = DecodedEvent(
            source: 0x0A00_0000 + UInt32.random(in: 0..<210, using: &generator), destination: 0x0A00_0000 + UInt32(index % 200),
            sourcePort: UInt16(32768 + index % 28000), destinationPort: 80, flags: 0x02, dropped: index % 10 == 0,
            nanoseconds: 1_732_655_045_000_000_000 + Int64(index) * 1000)
        ring.ingest(enrich(event, node: "node-1"))
    }
    precondition(ring.status.held == 65535)
    print(idle, residentBytes())
    exit(0)
}

// MARK: ingest throughput

let ingestCount = Int(ProcessInfo.processInfo.environment["FLOW_BENCH_EVENTS"] ?? "") ?? 2_000_000
let events = makeEvents(ingestCount)
let pipeline = FlowPipeline(store: try FlowStore(capacity: 4095), nodeName: "node-1")
var best = Double.infinity
for _ in 0..<3 {
    let start = ContinuousClock.now
    for event in events { pipeline.ingest(enrich(event, node: "node-1")) }
    best = min(best, seconds(ContinuousClock.now - start))
}
let ingestRate = Double(ingestCount) / best

// MARK: GetFlows --last 4095

let store = try FlowStore(capacity: 4095)
for event in events.prefix(4095) { store.ingest(enrich(event, node: "node-1")) }
let service = ObserverService(store: store, nodeName: "node-1")
var inProcess: [Double] = []
for _ in 0..<30 {
    let start = ContinuousClock.now
    var cursor = store.cursor(for: FlowQuery(number: 4095))
    var bytes = 0
    while let batch = await cursor.next() {
        for event in batch {
            let encoded: [UInt8] = try Observer_GetFlowsResponse(event, nodeName: "node-1").serializedBytes()
            bytes += encoded.count
        }
    }
    inProcess.append(seconds(ContinuousClock.now - start))
    precondition(bytes > 0)
}
let overGRPC = try await GRPCLatency.measure(service: service)

/// GetFlows --last 4095 over the real transport, as hflow calls it.
enum GRPCLatency {
    nonisolated static func measure(service: ObserverService) async throws -> [Double] {
        let socket = NSTemporaryDirectory() + "flow-bench-\(getpid()).sock"
        defer { try? FileManager.default.removeItem(atPath: socket) }
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .unixDomainSocket(path: socket), transportSecurity: .plaintext), services: [service])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            _ = try await server.listeningAddress
            let timings = try await withObserver(.unixSocket(path: socket)) { client in
                var timings: [Double] = []
                for _ in 0..<30 {
                    let start = ContinuousClock.now
                    let received = try await client.getFlows(.with { $0.number = 4095 }) { response in
                        var count = 0
                        for try await _ in response.messages { count += 1 }
                        return count
                    }
                    precondition(received == 4095)
                    timings.append(seconds(ContinuousClock.now - start))
                }
                return timings
            }
            server.beginGracefulShutdown()
            return timings
        }
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

// MARK: RSS of a full 65,535-flow ring, in a fresh process (this one has run the benchmarks above)

let child = Process()
child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
child.arguments = ["--ring-memory"]
let childOutput = Pipe()
child.standardOutput = childOutput
try child.run()
let childReport = String(decoding: childOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
child.waitUntilExit()
let childNumbers = childReport.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
precondition(childNumbers.count == 2, "bench-flows --ring-memory printed \(childReport)")
let (rssBefore, rssAfter) = (childNumbers[0], childNumbers[1])

// MARK: in a lab (root): follow latency and a real agent's memory

var labRows: [(String, String, String)] = []
var labJSON: [String: Any] = [:]
if geteuid() == 0 {
    let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    let bpf = ProcessInfo.processInfo.environment["HEDGEROW_BPF_DIR"] ?? ".build/bpf"
    do {
        var lab = try BenchLab(binaries: binaries, bpfDirectory: bpf)
        defer { lab.down() }
        let footprint = try await AgentFootprint.measure(lab: lab)
        let latencies = try await FollowLatency.measure(lab: lab, connections: 60)
        let flood = try await FloodBenchmark.measure(lab: lab)
        let memory = try await AgentMemory.measure(lab: &lab)
        func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
        labRows = [
            ("hagent run to enforcing (3 endpoints)", String(format: "%.0f ms", footprint.startupToReadyMilliseconds), "< 1 s"),
            ("hagent RSS, 3 endpoints, fresh (2 s after ready)", megabytes(footprint.fresh.resident),
             "private \(megabytes(footprint.fresh.anonymous))"),
            ("hagent RSS, 3 endpoints, settled (after a code trim)", megabytes(footprint.settled.resident),
             "< 30 MB; private \(megabytes(footprint.settled.anonymous))"),
            ("  right after an API status call", megabytes(footprint.afterStatusCall.resident), ""),
            ("  after the next check", megabytes(footprint.afterNextCheck.resident), "\(footprint.codeTrims) code trims in all"),
            ("hflow --follow: SYN to printed line, p50", String(format: "%.1f ms", percentile(latencies, 0.5)), "\(latencies.count) connections"),
            ("hflow --follow: SYN to printed line, p99", String(format: "%.1f ms", percentile(latencies, 0.99)), "< 100 ms"),
            ("hflow --follow: SYN to printed line, max", String(format: "%.1f ms", latencies.max() ?? 0), ""),
            ("new-connection flood: rate achieved (target 200k/s)", String(format: "%.0f packets/s", flood.packetsPerSecond),
             "\(flood.packets) in 10 s"),
            ("  flows + lost events = events produced", "\(flood.flows) + \(flood.lost)", flood.flows + flood.lost == UInt64(flood.packets) ? "= \(flood.packets)" : "!= \(flood.packets)"),
            ("  agent RSS before / after the flood", String(format: "%.1f / %.1f MB", Double(flood.rssBeforeBytes) / 1e6, Double(flood.rssAfterBytes) / 1e6), ""),
            ("hagent RSS idle (fresh, 3 endpoints)", String(format: "%.1f MB", Double(memory.idleBytes) / 1e6), ""),
            ("hagent RSS with a full 65,535-flow ring", String(format: "%.1f MB", Double(memory.fullBytes) / 1e6),
             "< 60 MB (\(memory.flowsHeld) held)"),
            ("  of which private heap (RssAnon), idle / full",
             String(format: "%.1f / %.1f MB", Double(memory.idleAnonymousBytes) / 1e6, Double(memory.fullAnonymousBytes) / 1e6),
             "rest: binary, libraries, ring buffer mmap"),
        ]
        labJSON = [
            "agent_startup_to_ready_ms": footprint.startupToReadyMilliseconds,
            "agent_rss_3_endpoints_fresh_bytes": footprint.fresh.resident, "agent_rss_anon_3_endpoints_fresh_bytes": footprint.fresh.anonymous,
            "agent_rss_3_endpoints_settled_bytes": footprint.settled.resident,
            "agent_rss_anon_3_endpoints_settled_bytes": footprint.settled.anonymous,
            "agent_rss_3_endpoints_after_status_call_bytes": footprint.afterStatusCall.resident,
            "agent_rss_3_endpoints_after_next_check_bytes": footprint.afterNextCheck.resident,
            "agent_code_trims": footprint.codeTrims,
            "follow_latency_ms_p50": percentile(latencies, 0.5), "follow_latency_ms_p99": percentile(latencies, 0.99),
            "follow_latency_ms_max": latencies.max() ?? 0, "follow_latency_connections": latencies.count,
            "follow_latency_ms_all": latencies,
            "agent_rss_idle_bytes": memory.idleBytes, "agent_rss_full_65535_ring_bytes": memory.fullBytes,
            "agent_flows_held": memory.flowsHeld,
            "agent_rss_anon_idle_bytes": memory.idleAnonymousBytes, "agent_rss_anon_full_65535_ring_bytes": memory.fullAnonymousBytes,
            "flood_packets": flood.packets, "flood_packets_per_second": flood.packetsPerSecond, "flood_flows": flood.flows,
            "flood_lost_events": flood.lost, "flood_agent_rss_before_bytes": flood.rssBeforeBytes,
            "flood_agent_rss_after_bytes": flood.rssAfterBytes,
        ]
    } catch {
        print("lab benchmarks failed: \(error)")
    }
} else {
    print("not root: skipping the lab benchmarks (follow latency, agent RSS)")
}

// MARK: report

let rows: [(String, String, String)] = [
    ("ingest (decode->enrich->store, 1 core)", String(format: "%.0f flows/s", ingestRate), ">= 1,000,000 flows/s"),
    ("GetFlows --last 4095, in process (query+encode)", String(format: "%.2f ms", median(inProcess) * 1000), "median of 30"),
    ("GetFlows --last 4095, gRPC unix socket", String(format: "%.2f ms", median(overGRPC) * 1000), "median of 30"),
    ("fresh process: RSS before filling a ring", String(format: "%.1f MB", Double(rssBefore) / 1e6), "links agent + gRPC"),
    ("fresh process: RSS with a full 65,535-flow ring", String(format: "%.1f MB", Double(rssAfter) / 1e6), "< 60 MB"),
    ("  of which the ring", String(format: "%.1f MB", Double(rssAfter - rssBefore) / 1e6), ""),
] + labRows
print("benchmark".padding(toLength: 52, withPad: " ", startingAt: 0), "result".padding(toLength: 20, withPad: " ", startingAt: 0), "target")
for (name, value, target) in rows {
    print(name.padding(toLength: 52, withPad: " ", startingAt: 0), value.padding(toLength: 20, withPad: " ", startingAt: 0), target)
}
var json: [String: Any] = [
    "ingest_flows_per_second": ingestRate,
    "getflows_last_4095_in_process_ms": median(inProcess) * 1000,
    "getflows_last_4095_grpc_ms": median(overGRPC) * 1000,
    "rss_fresh_process_before_ring_bytes": rssBefore,
    "rss_full_65535_ring_bytes": rssAfter,
    "rss_ring_only_bytes": rssAfter - rssBefore,
]
json.merge(labJSON) { $1 }
let out = ProcessInfo.processInfo.environment["HEDGEROW_BENCH_OUT"] ?? "bench/results/flows.json"
try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: out))
print("wrote \(out)")
