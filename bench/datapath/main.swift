// Per-packet cost of the endpoint programs (bpf/endpoint.bpf.c) next to a pass-through program,
// with 0, 100 and 10,000 policy entries on the endpoint, and the cost of flow events at each
// aggregation level: on established packets, and per packet over whole TCP connections (the
// events each level emits, and what they cost). Two measurements per row, both the kernel's: BPF_PROG_TEST_RUN's mean
// duration, and kernel.bpf_stats run_time_ns / run_cnt over the same runs.
//
// Run as root after `make bpf` (HEDGEROW_BPF_DIR overrides .build/bpf). Prints a table and
// writes bench/results/datapath.json.
import Foundation
import HedgerowBPF
import HedgerowCore
import HedgerowDatapath
import Synchronization

struct SyncTiming: Codable {
    /// What changed: a whole policy written into an empty generation, or one entry added.
    var change: String
    var policyEntries: Int
    var writes: Int
    /// Whether the sync waited for a barrier (the previous change was less than a grace period ago).
    var waitedForBarrier: Bool
    var milliseconds: Double
}

struct Environment: Codable {
    var kernel: String
    var cpus: Int
    /// /proc/loadavg when the run started: the machine is shared, numbers move with it.
    var loadAverage: String
}

struct Row: Codable {
    var scenario: String
    var program: String
    var policyEntries: Int
    var aggregation: String
    var runs: Int
    /// BPF_PROG_TEST_RUN's mean time per run (median over rounds), nanoseconds.
    var testRunNs: Double
    /// kernel.bpf_stats: run_time_ns / run_cnt over the same runs.
    var statsNs: Double
    /// statsNs minus the pass-through program's, measured the same way.
    var overPassthroughNs: Double
    /// Flow events the programs emitted per packet (connection rows only).
    var eventsPerPacket: Double? = nil
}

let pod: [UInt8] = [10, 250, 0, 2]
let client: [UInt8] = [10, 250, 1, 1]
let clientIdentity: UInt32 = 2001
let consumed = Atomic<Int>(0)

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

/// Runs `program` on `packet`: `rounds` test runs of `repetitions` each.
func measure(_ program: BPFProgram, _ packets: [[UInt8]], repetitions: Int, ifindex: Int32, rounds: Int = 5,
             eventsPerRun: Int = 0) async throws -> (testRunNs: Double, statsNs: Double, runs: Int) {
    let id = try program.info().id
    let before = try BenchEnvironment.stats(programID: id)
    var means: [Double] = []
    var produced = consumed.load(ordering: .relaxed)
    for round in 0..<rounds {
        for (index, packet) in packets.enumerated() where index % rounds == round || packets.count == 1 {
            let result = try program.testRun(.tc(packet: packet, ifindex: UInt32(ifindex), repetitions: repetitions))
            let mean = result.meanDuration.components
            means.append(Double(mean.seconds) * 1e9 + Double(mean.attoseconds) / 1e9)
            produced += eventsPerRun * repetitions
            // Let the reader drain the ring buffer between large batches, so that reservations
            // measure the normal path (single runs go back to back: waiting would cool the caches).
            if eventsPerRun > 0 && repetitions > 1 { await waitForConsumer(produced) }
        }
    }
    await waitForConsumer(produced)
    let after = try BenchEnvironment.stats(programID: id)
    let runs = after.runs - before.runs
    let statsNs = runs == 0 ? 0 : Double(after.runTime - before.runTime) / Double(runs)
    return (median(means), statsNs, Int(runs))
}

func waitForConsumer(_ target: Int) async {
    let deadline = ContinuousClock.now + .seconds(10)
    while consumed.load(ordering: .relaxed) < target && ContinuousClock.now < deadline {
        try? await Task.sleep(for: .microseconds(200))
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

/// `count` entries for the endpoint: the client's allow for tcp/80 plus filler rules over other
/// identities, protocols and ports (a mix of exact ports and ranges), ingress enforced.
func policy(entries count: Int) -> EndpointPolicy {
    var entries: [PolicyEntry.Key: PolicyEntry] = [:]
    if count > 0 {
        let key = PolicyEntry.Key(direction: .ingress, remote: SecurityIdentity(rawValue: clientIdentity), proto: 6,
                                  port: 80, portPrefixLength: 16)
        entries[key] = PolicyEntry(key: key, action: .allow)
    }
    var n = 0
    while entries.count < count {
        let key = PolicyEntry.Key(
            direction: n % 5 == 0 ? .egress : .ingress, remote: SecurityIdentity(rawValue: 3000 + UInt32(n % 500)),
            proto: n % 3 == 0 ? 17 : 6, port: UInt16(1024 + (n / 500) * 16 % 60000), portPrefixLength: n % 4 == 0 ? 12 : 16)
        entries[key] = PolicyEntry(key: key, action: n % 7 == 0 ? .deny : .allow)
        n += 1
    }
    // No entries: a policy that selects nothing ("not enforced").
    return EndpointPolicy(ingressEnforced: count > 0, egressEnforced: false, entries: entries.values.sorted())
}

/// Wall-clock time of policy syncs for one endpoint: a whole policy of `count` entries written
/// into an empty generation, then the steady state of small changes (one entry added per sync:
/// the generation written holds the policy of two syncs ago, so two writes), once after a pause
/// (the background barrier has finished) and once right after another change (it waits for it).
/// Leaves the endpoint with `policy(entries: count)`.
func timeSyncs(_ datapath: EndpointDatapath, _ endpoint: DatapathEndpoint, entries count: Int) async throws -> [SyncTiming] {
    func apply(_ policy: EndpointPolicy) throws -> (PolicySyncReport, Double) {
        let started = ContinuousClock.now
        let report = try datapath.policy.apply(policy, endpointID: endpoint.id, interfaceIndex: endpoint.interfaceIndex)
        return (report, milliseconds(ContinuousClock.now - started))
    }
    func adding(_ extra: Int) -> EndpointPolicy {
        var grown = policy(entries: count)
        for port in 0..<UInt16(extra) {
            grown.entries.append(PolicyEntry(key: .init(direction: .egress, remote: .world, proto: 17, port: 5300 + port,
                                                        portPrefixLength: 16), action: .deny))
        }
        grown.entries.sort()
        return grown
    }
    func timing(_ change: String, _ result: (PolicySyncReport, Double)) -> SyncTiming {
        SyncTiming(change: change, policyEntries: count, writes: result.0.writes, waitedForBarrier: result.0.waitedForBarrier,
                   milliseconds: result.1)
    }
    var timings = [timing("whole policy", try apply(policy(entries: count)))]
    _ = try apply(adding(1))
    try await Task.sleep(for: .milliseconds(300))
    timings.append(timing("one entry added after a pause", try apply(adding(2))))
    timings.append(timing("one entry added right after", try apply(adding(3))))
    _ = try apply(policy(entries: count))
    return timings
}

func run(_ environment: BenchEnvironment) async throws -> (rows: [Row], syncTimings: [SyncTiming]) {
    let datapath = try EndpointDatapath(objectDirectory: environment.objectDirectory, pinDirectory: environment.pinRoot)
    let endpoint = DatapathEndpoint(id: 42, interfaceIndex: environment.interfaceIndex, addresses: ["10.250.0.2"], identity: 1000)
    try datapath.install(endpoint)
    // A second load over the same pins: its programs use the maps the datapath fills.
    let object = try BPFObject(path: environment.objectDirectory + "/endpoint.bpf.o", options: .init(pinRoot: environment.pinRoot))
    let toEndpoint = try object.program(named: "to_endpoint")
    let fromEndpoint = try object.program(named: "from_endpoint")
    let passthrough = try BPFObject(path: environment.objectDirectory + "/tests/passthrough.bpf.o").program(named: "passthrough")

    var table: [IPPrefix: SecurityIdentity] = [IPPrefix("10.250.1.1/32")!: SecurityIdentity(rawValue: clientIdentity)]
    for index in 0..<1000 { table[IPPrefix("10.251.\(index / 250).\(index % 250 + 1)/32")!] = SecurityIdentity(rawValue: 3000 + UInt32(index % 500)) }
    for index in 0..<100 { table[IPPrefix("172.\(16 + index / 50).\(index % 50 * 4).0/22")!] = SecurityIdentity(rawValue: 1 << 24 | UInt32(index)) }
    try datapath.ipcache.apply(table)

    let events = try datapath.flowEvents()
    let reader = Task.detached { for await _ in events { consumed.add(1, ordering: .relaxed) } }
    defer { events.close(); reader.cancel() }

    let ifindex = environment.interfaceIndex
    let established = BenchPacket.tcp(from: client, to: pod, sport: 40000, dport: 80, flags: BenchPacket.ack)
    let reply = BenchPacket.tcp(from: pod, to: client, sport: 80, dport: 40000, flags: BenchPacket.ack)
    let denied = BenchPacket.tcp(from: client, to: pod, sport: 40001, dport: 81, flags: BenchPacket.syn)
    let repetitions = 200_000
    var rows: [Row] = []
    var syncTimings: [SyncTiming] = []

    let base = try await measure(passthrough, [established], repetitions: repetitions, ifindex: ifindex)
    rows.append(Row(scenario: "pass-through", program: "passthrough", policyEntries: 0, aggregation: "-", runs: base.runs,
                    testRunNs: base.testRunNs, statsNs: base.statsNs, overPassthroughNs: 0))
    // Single runs, as the new-connection rows must be measured (each packet a fresh tuple).
    let singles = (0..<4000).map { BenchPacket.tcp(from: client, to: pod, sport: UInt16(10000 + $0), dport: 80, flags: BenchPacket.syn) }
    let baseSingle = try await measure(passthrough, singles, repetitions: 1, ifindex: ifindex, rounds: 1)
    rows.append(Row(scenario: "pass-through, single runs", program: "passthrough", policyEntries: 0, aggregation: "-",
                    runs: baseSingle.runs, testRunNs: baseSingle.testRunNs, statsNs: baseSingle.statsNs, overPassthroughNs: 0))

    for (round, count) in [0, 100, 10_000].enumerated() {
        syncTimings += try await timeSyncs(datapath, endpoint, entries: count)
        try datapath.configure(DatapathSettings(aggregation: .medium))
        // Open the measured connection (SYN in, SYN-ACK out), then measure its steady state.
        _ = try toEndpoint.testRun(.tc(packet: BenchPacket.tcp(from: client, to: pod, sport: 40000, dport: 80, flags: BenchPacket.syn),
                                       ifindex: UInt32(ifindex)))
        _ = try fromEndpoint.testRun(.tc(packet: BenchPacket.tcp(from: pod, to: client, sport: 80, dport: 40000, flags: 0x12),
                                         ifindex: UInt32(ifindex)))
        let forward = try await measure(toEndpoint, [established], repetitions: repetitions, ifindex: ifindex)
        rows.append(Row(scenario: "established, forward", program: "to_endpoint", policyEntries: count, aggregation: "medium",
                        runs: forward.runs, testRunNs: forward.testRunNs, statsNs: forward.statsNs,
                        overPassthroughNs: forward.statsNs - base.statsNs))
        let back = try await measure(fromEndpoint, [reply], repetitions: repetitions, ifindex: ifindex)
        rows.append(Row(scenario: "established, reply", program: "from_endpoint", policyEntries: count, aggregation: "medium",
                        runs: back.runs, testRunNs: back.testRunNs, statsNs: back.statsNs, overPassthroughNs: back.statsNs - base.statsNs))
        let fresh = (0..<4000).map {  // source ports no earlier round used
            BenchPacket.tcp(from: client, to: pod, sport: UInt16(20000 + round * 4000 + $0), dport: 80, flags: BenchPacket.syn)
        }
        let opened = try await measure(toEndpoint, fresh, repetitions: 1, ifindex: ifindex, rounds: 1, eventsPerRun: 1)
        rows.append(Row(scenario: "new connection (policy + ct + event)", program: "to_endpoint", policyEntries: count,
                        aggregation: "medium", runs: opened.runs, testRunNs: opened.testRunNs, statsNs: opened.statsNs,
                        overPassthroughNs: opened.statsNs - baseSingle.statsNs))
        if count > 0 {
            let drops = try await measure(toEndpoint, [denied], repetitions: 20_000, ifindex: ifindex, eventsPerRun: 1)
            rows.append(Row(scenario: "denied (policy + drop event)", program: "to_endpoint", policyEntries: count,
                            aggregation: "medium", runs: drops.runs, testRunNs: drops.testRunNs, statsNs: drops.statsNs,
                            overPassthroughNs: drops.statsNs - base.statsNs))
        }
    }

    // Event emission per aggregation level, on established forward packets (100 entries).
    _ = try datapath.policy.apply(policy(entries: 100), endpointID: endpoint.id, interfaceIndex: endpoint.interfaceIndex)
    for (level, eventsPerRun) in [(DatapathSettings.Aggregation.none, 1), (.medium, 0), (.maximum, 0)] {
        try datapath.configure(DatapathSettings(aggregation: level))
        let result = try await measure(toEndpoint, [established], repetitions: 20_000, ifindex: ifindex, eventsPerRun: eventsPerRun)
        rows.append(Row(scenario: "established + events", program: "to_endpoint", policyEntries: 100, aggregation: level.rawValue,
                        runs: result.runs, testRunNs: result.testRunNs, statsNs: result.statsNs,
                        overPassthroughNs: result.statsNs - base.statsNs))
    }
    // Whole connections through both programs, per aggregation level: what emission costs per
    // packet of real traffic, where most packets are not reported.
    for (index, level) in [DatapathSettings.Aggregation.none, .medium, .maximum].enumerated() {
        try datapath.configure(DatapathSettings(aggregation: level))
        let result = try await measureConnections(
            toEndpoint: toEndpoint, fromEndpoint: fromEndpoint, ifindex: ifindex, connections: 300, firstPort: UInt16(50_000 + index * 1000))
        rows.append(Row(scenario: "TCP connection, \(ConnectionPackets.count) packets", program: "both", policyEntries: 100,
                        aggregation: level.rawValue, runs: result.packets, testRunNs: result.testRunNs, statsNs: result.statsNs,
                        overPassthroughNs: result.statsNs - baseSingle.statsNs, eventsPerPacket: result.eventsPerPacket))
    }
    let lost = try datapath.lostEvents()
    print("lost events during the benchmark: \(lost)")
    try datapath.remove(endpointID: endpoint.id, interfaceIndex: endpoint.interfaceIndex, interfaceExists: true)
    return (rows, syncTimings)
}

/// One TCP connection as the endpoint's two programs see it: (from the client = to_endpoint?, flags).
enum ConnectionPackets {
    static let dataPackets = 10
    static let sequence: [(inbound: Bool, flags: UInt8)] =
        [(true, 0x02), (false, 0x12), (true, 0x10)]                            // SYN, SYN-ACK, ACK
        + (0..<dataPackets).flatMap { _ in [(true, 0x18), (false, 0x10)] }     // request, ACK
        + [(true, 0x11), (false, 0x11), (true, 0x10)]                          // FIN-ACK both ways, ACK
    static var count: Int { sequence.count }
}

/// `connections` connections (fresh source ports), one test run per packet as traffic arrives:
/// kernel time per packet over both programs (bpf_stats) and events emitted per packet.
func measureConnections(toEndpoint: BPFProgram, fromEndpoint: BPFProgram, ifindex: Int32, connections: Int, firstPort: UInt16)
    async throws -> (packets: Int, testRunNs: Double, statsNs: Double, eventsPerPacket: Double)
{
    let ids = (try toEndpoint.info().id, try fromEndpoint.info().id)
    let before = (try BenchEnvironment.stats(programID: ids.0), try BenchEnvironment.stats(programID: ids.1))
    let eventsBefore = consumed.load(ordering: .relaxed)
    var means: [Double] = []
    for connection in 0..<connections {
        let port = firstPort + UInt16(connection)
        for (inbound, flags) in ConnectionPackets.sequence {
            let packet = inbound
                ? BenchPacket.tcp(from: client, to: pod, sport: port, dport: 80, flags: flags)
                : BenchPacket.tcp(from: pod, to: client, sport: 80, dport: port, flags: flags)
            let result = try (inbound ? toEndpoint : fromEndpoint).testRun(.tc(packet: packet, ifindex: UInt32(ifindex)))
            let mean = result.meanDuration.components
            means.append(Double(mean.seconds) * 1e9 + Double(mean.attoseconds) / 1e9)
        }
    }
    // Every packet was run: wait for the reader to count the events (the ring buffer never fills
    // at this pace; a timeout would show as fewer events per packet).
    let settle = ContinuousClock.now + .seconds(2)
    var events = consumed.load(ordering: .relaxed) - eventsBefore
    while ContinuousClock.now < settle {
        try? await Task.sleep(for: .milliseconds(100))
        let now = consumed.load(ordering: .relaxed) - eventsBefore
        if now == events { break }
        events = now
    }
    let after = (try BenchEnvironment.stats(programID: ids.0), try BenchEnvironment.stats(programID: ids.1))
    let runs = (after.0.runs - before.0.runs) + (after.1.runs - before.1.runs)
    let time = (after.0.runTime - before.0.runTime) + (after.1.runTime - before.1.runTime)
    let packets = connections * ConnectionPackets.count
    return (packets, median(means), runs == 0 ? 0 : Double(time) / Double(runs), Double(events) / Double(packets))
}

/// What one flow event costs in the datapath: the same established packet at `none` (one event
/// each) minus at `medium` (none), and the per-packet cost of each level over whole connections.
func printEmissionSummary(_ rows: [Row]) {
    let established = Dictionary(rows.filter { $0.scenario == "established + events" }.map { ($0.aggregation, $0.statsNs) }) { $1 }
    if let none = established["none"], let medium = established["medium"] {
        print(String(format: "\nflow event emission: %.1f ns per event (established packet at none minus medium)", none - medium))
    }
    for row in rows where row.eventsPerPacket != nil {
        print("  \(row.scenario) at \(row.aggregation): " + String(format: "%.1f ns per packet, %.3f events per packet", row.statsNs,
                                                                     row.eventsPerPacket ?? 0))
    }
}

func printTable(_ rows: [Row]) {
    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
    func number(_ value: Double) -> String { String(format: "%.1f", value) }
    print(pad("scenario", 38) + pad("program", 15) + pad("entries", 9) + pad("aggr.", 8) + pad("runs", 9)
          + pad("test-run ns", 13) + pad("bpf_stats ns", 14) + "over pass-through ns")
    for row in rows {
        print(pad(row.scenario, 38) + pad(row.program, 15) + pad(String(row.policyEntries), 9) + pad(row.aggregation, 8)
              + pad(String(row.runs), 9) + pad(number(row.testRunNs), 13) + pad(number(row.statsNs), 14) + number(row.overPassthroughNs))
    }
}

do {
    let machine = Environment(
        kernel: (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
        cpus: ProcessInfo.processInfo.activeProcessorCount,
        loadAverage: (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    let environment = try BenchEnvironment()
    defer { environment.tearDown() }
    let (rows, syncTimings) = try await run(environment)
    printTable(rows)
    printEmissionSummary(rows)
    print("\npolicy map sync (wall clock, one endpoint):")
    for timing in syncTimings {
        print("  \(timing.change), \(timing.policyEntries) entries: \(timing.writes) writes, "
              + String(format: "%.2f ms", timing.milliseconds) + (timing.waitedForBarrier ? " (waited for a barrier)" : ""))
    }
    print("machine: \(machine.kernel), \(machine.cpus) CPUs, load \(machine.loadAverage)")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let output = URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/bench/results/datapath.json")
    try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
    struct Document: Codable {
        var environment: Environment
        var rows: [Row]
        var policySync: [SyncTiming]
    }
    try encoder.encode(Document(environment: machine, rows: rows, policySync: syncTimings)).write(to: output)
    print("wrote \(output.path)")
} catch {
    FileHandle.standardError.write(Data("bench-datapath: \(error)\n".utf8))
    exit(1)
}
