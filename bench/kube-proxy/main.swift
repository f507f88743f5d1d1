// Hedgerow's socket-level service translation side by side with kube-proxy's iptables mode, for
// 100, 1,000 and 10,000 ClusterIP services of three endpoints each. For each datapath and size,
// in a fresh node network namespace wired to one backend server namespace: the time to apply
// the full set, the time to apply one endpoint change, connect() latency (p50/p99) to the
// last-generated service and requests/s over short connections to it.
//
// iptables: the chains kube-proxy writes (KubeProxyRules) loaded with iptables-restore as
// kube-proxy runs it, with iptables-nft and iptables-legacy. Hedgerow: ServiceMapSync into fresh
// pinned maps, sock.bpf.o on a cgroup the client joins.
//
// Run as root after `make bpf` (HEDGEROW_BPF_DIR overrides .build/bpf):
//   bench-kube-proxy [--output bench/results/kube-proxy.json] [--sizes 100,1000,10000]
//                    [--connects 5000] [--seconds 3] [--variants iptables-nft,iptables-legacy]
//                    [--restore-limit 60] [--repeat 3]
// Sync times are medians: --repeat full syncs into an empty datapath, 2 * repeat - 1 one-endpoint
// changes (back and forth).
// A full sync that runs longer than --restore-limit seconds (0: no limit) is killed and reported
// as a lower bound: iptables-nft 1.8.9 with --noflush needs minutes for 10,000 services, more
// than `make bench` can spend; the rules are then loaded without --noflush to go on.
// The client and server are this executable again (`client ...`, `serve ...`); `rules N` prints
// the iptables-restore input for N services.
import Foundation
import HedgerowCore
import KubeProxyRules

let arguments = Array(CommandLine.arguments.dropFirst())

// MARK: Child roles

do {
    switch arguments.first {
    case "serve":
        try Traffic.serve(netns: arguments[1], port: UInt16(arguments[2])!)
    case "client":
        try Traffic.client(
            netns: arguments[1], cgroup: arguments[2] == "-" ? nil : arguments[2], vip: arguments[3], port: UInt16(arguments[4])!,
            connects: Int(arguments[5])!, seconds: Double(arguments[6])!, backends: Set(arguments[7].split(separator: ",").map(String.init)))
    case "rules":
        // `rules <services>`: prints the full-sync input the iptables side loads, for inspection.
        let workload = Workload(services: Int(arguments[1])!)
        FileHandle.standardOutput.write(Data(KubeProxyRules(frontends: workload.frontends, options: IptablesSide.options).fullSync().utf8))
        exit(0)
    default: break
    }
} catch {
    FileHandle.standardError.write(Data("bench-kube-proxy \(arguments.first ?? ""): \(error)\n".utf8))
    exit(1)
}

// MARK: Options

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let outputPath = option("--output") ?? "bench/results/kube-proxy.json"
let sizes = (option("--sizes") ?? "100,1000,10000").split(separator: ",").compactMap { Int($0) }
let variants = (option("--variants") ?? "iptables-nft,iptables-legacy").split(separator: ",").compactMap { IptablesSide.Variant(rawValue: String($0)) }
let objectDirectory = ProcessInfo.processInfo.environment["HEDGEROW_BPF_DIR"] ?? FileManager.default.currentDirectoryPath + "/.build/bpf"
let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
let restoreLimitSeconds = Int(option("--restore-limit") ?? "60")!
let measurement = Measurement(
    connects: Int(option("--connects") ?? "5000")!, seconds: Double(option("--seconds") ?? "3")!, executable: executable,
    restoreLimit: restoreLimitSeconds > 0 ? .seconds(restoreLimitSeconds) : nil, repeats: max(1, Int(option("--repeat") ?? "3")!))

// MARK: Run

struct Environment: Codable {
    var kernel: String
    var cpus: Int
    /// /proc/loadavg at the start: the machine is shared, numbers move with it.
    var loadAverage: String
    var iptables: String
}

struct Target: Codable {
    var name: String
    var goal: String
    var measured: Double
    var met: Bool
}

struct Report: Codable {
    var environment: Environment
    var servicesCount: [Int]
    var endpointsPerService: Int
    var connectsSampled: Int
    var repeats: Int
    var requestSeconds: Double
    var rows: [Row]
    var targets: [Target]
    var notes: [String]
}

guard FileManager.default.fileExists(atPath: objectDirectory + "/sock.bpf.o") else {
    FileHandle.standardError.write(Data("bench-kube-proxy: no \(objectDirectory)/sock.bpf.o: run `make bpf` or set HEDGEROW_BPF_DIR\n".utf8))
    exit(1)
}
Cleanup.shared.installSignalHandlers()
let loadAtStart = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""

var rows: [Row] = []
do {
    let topology = try Topology(executable: executable)
    var nodeIndex = 0
    /// A fresh node namespace per measurement, removed after it. Deleting a namespace with
    /// 100,000 rules and thousands of connections keeps the kernel busy for a while after
    /// `ip netns delete` returns: pause, so that work does not land in the next measurement.
    func onFreshNode(_ body: (NodeNamespace) throws -> Row) throws {
        nodeIndex += 1
        let node = try topology.makeNode(index: nodeIndex)
        defer {
            node.remove()
            Thread.sleep(forTimeInterval: 1)
        }
        rows.append(try body(node))
        print("  \(rows.last!.datapath) at \(rows.last!.services) services done", terminator: "\n")
    }
    for size in sizes {
        let workload = Workload(services: size)
        // Hedgerow first at each size: its connect latency is compared across sizes.
        try onFreshNode { try HedgerowSide(topology: topology, measurement: measurement, objectDirectory: objectDirectory).run(workload, node: $0) }
        for variant in variants {
            try onFreshNode { try IptablesSide(variant: variant, topology: topology, measurement: measurement).run(workload, node: $0) }
        }
    }
} catch {
    Cleanup.shared.runAll()
    FileHandle.standardError.write(Data("bench-kube-proxy: \(error)\n".utf8))
    exit(1)
}
Cleanup.shared.runAll()

// MARK: Table, targets, JSON

func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
func format(_ value: Double?, _ decimals: Int) -> String { value.map { format($0, decimals) } ?? "-" }
func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }

print("")
print(["services", "datapath", "full sync ms", "one change ms", "connect p50 us", "connect p99 us", "req/s", "failures"]
    .enumerated().map { pad($1, $0 == 1 ? 16 : 14) }.joined(separator: " "))
for row in rows {
    let full = row.fullSyncTimedOutAfterMs.map { "> " + format($0, 0) } ?? format(row.fullSyncMs, 2)
    print([pad(String(row.services), 14), pad(row.datapath, 16), pad(full, 14), pad(format(row.oneChangeMs, 3), 14),
           pad(format(row.connectP50Us, 1), 14), pad(format(row.connectP99Us, 1), 14), pad(format(row.requestsPerSecond, 0), 14),
           pad(row.failures.map(String.init) ?? "-", 14)].joined(separator: " "))
}

@MainActor func row(_ datapath: String, _ services: Int) -> Row? { rows.first { $0.datapath == datapath && $0.services == services } }

var targets: [Target] = []
if let largest = sizes.max(), let smallest = sizes.min(), let big = row("hedgerow", largest), let small = row("hedgerow", smallest),
    let bigFull = big.fullSyncMs, let bigChange = big.oneChangeMs
{
    if let bigP50 = big.connectP50Us, let smallP50 = small.connectP50Us {
        let growth = (bigP50 / smallP50 - 1) * 100
        targets.append(Target(name: "hedgerow connect p50 at \(largest) vs \(smallest) services", goal: "within 5%",
                              measured: growth, met: abs(growth) <= 5))
    }
    for variant in variants {
        guard let iptables = row(variant.rawValue, largest) else { continue }
        // A killed full sync gives a lower bound: the ratio is at least limit / hedgerow.
        let lowerBound = iptables.fullSyncTimedOutAfterMs != nil
        let fullRatio = (iptables.fullSyncMs ?? iptables.fullSyncTimedOutAfterMs ?? 0) / bigFull
        targets.append(Target(name: "full sync at \(largest): \(variant.rawValue)-restore / hedgerow\(lowerBound ? " (at least)" : "")",
                              goal: ">= 10x", measured: fullRatio, met: fullRatio >= 10))
        if let change = iptables.oneChangeMs {
            targets.append(Target(name: "one endpoint change at \(largest): \(variant.rawValue)-restore / hedgerow", goal: ">= 100x",
                                  measured: change / bigChange, met: change / bigChange >= 100))
        }
    }
}
print("")
for target in targets {
    let value = target.name.hasPrefix("hedgerow connect") ? "\(format(target.measured, 1))%" : "\(format(target.measured, 1))x"
    print("\(target.met ? "MET   " : "MISSED") \(target.name): \(value) (target \(target.goal))")
}
for row in rows where row.fullSyncTimedOutAfterMs != nil {
    print("note: \(row.datapath) at \(row.services) services: the --noflush full sync was killed at the \(restoreLimitSeconds) s limit; "
          + "the same input without --noflush (flushing the tables, which kube-proxy never does) took \(format(row.fullSyncFlushingMs, 0)) ms "
          + "and was used for the change and the traffic")
}

let notes = [
    "iptables one change = kube-proxy's partial sync (MinimizeIPTablesRestore): filter chains and KUBE-SERVICES written whole, only the changed service's KUBE-SVC/KUBE-SEP chains; stale chains deleted only below 1,000 endpoints (large-cluster mode keeps them)",
    "iptables times are iptables-restore from spawn to exit (-w 5 -W 100000 --noflush --counters), input generation excluded; hedgerow times are ServiceMapSync.apply, ServiceModel.diff reported apart (diffMs)",
    "each datapath and size runs in a fresh node namespace; the client is a host-network process on a cluster-CIDR address (the KUBE-SVC masquerade rule is evaluated, not taken)",
    "connect latency: sequential blocking connect() after a warm-up, closed with RST, in 5 rounds: p50 is the median of the rounds' medians, p99 over all samples; requests: sequential connect, 5 bytes, reply, server closes",
    "a full sync killed at the restore limit (\(restoreLimitSeconds) s) is a lower bound (fullSyncTimedOutAfterMs); the rules are then loaded without --noflush (fullSyncFlushingMs) for the change and traffic measurements",
]
let environment = Environment(
    kernel: (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
    cpus: ProcessInfo.processInfo.activeProcessorCount,
    loadAverage: loadAtStart,
    iptables: (try? Spawn.sh("iptables", "--version"))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
let report = Report(environment: environment, servicesCount: sizes, endpointsPerService: Workload.backendsPerService,
                    connectsSampled: measurement.connects, repeats: measurement.repeats, requestSeconds: measurement.seconds, rows: rows, targets: targets, notes: notes)
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try FileManager.default.createDirectory(atPath: (outputPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
try encoder.encode(report).write(to: URL(fileURLWithPath: outputPath))
print("\nwrote \(outputPath)")
