import Foundation
import HedgerowBPF
import HedgerowCore
import KubeProxyRules
import HedgerowDatapath

/// One row of the table: a datapath at one size.
struct Row: Codable {
    var datapath: String
    var services: Int
    /// The full set written into an empty datapath, milliseconds (median of the repeats).
    var fullSyncMs: Double? = nil
    /// Set instead of fullSyncMs when the full sync was killed at the limit.
    var fullSyncTimedOutAfterMs: Double? = nil
    /// When the full sync was killed: the same input restored without --noflush (flushing the
    /// filter and nat tables, which kube-proxy never does), milliseconds.
    var fullSyncFlushingMs: Double? = nil
    /// One endpoint of the target service replaced, milliseconds (median, back and forth).
    var oneChangeMs: Double? = nil
    var connectP50Us: Double? = nil
    var connectP99Us: Double? = nil
    var requestsPerSecond: Double? = nil
    /// Connects or requests that failed, or were answered by an address that is no backend.
    var failures: Int? = nil
    /// How many of the target's backends answered (3: the load is spread).
    var backendsSeen: Int? = nil
    /// What was written: iptables rules (`-A` lines) or map writes.
    var fullSyncWrites: Int
    var oneChangeWrites: Int? = nil
    /// Hedgerow only: computing the change (ServiceModel.diff), not part of oneChangeMs.
    var diffMs: Double? = nil
    /// Hedgerow only: planning a full sync (ServiceMapSync.plan, pure Swift), which fullSyncMs includes.
    var fullSyncPlanMs: Double? = nil

    mutating func record(_ traffic: Traffic.ClientResult) {
        connectP50Us = traffic.connectP50Microseconds
        connectP99Us = traffic.connectP99Microseconds
        requestsPerSecond = traffic.requestsPerSecond
        failures = traffic.failures
        backendsSeen = traffic.backendsSeen.count
    }
}

struct Measurement {
    let connects: Int
    let seconds: Double
    let executable: String
    /// iptables-restore runs longer than this are killed (nil: no limit).
    let restoreLimit: Duration?
    /// Full syncs per datapath and size; one-change timings take 2 * repeats - 1 (back and forth).
    let repeats: Int

    /// Runs the client child in `node` (and in `cgroup` when given) against the workload's target.
    func traffic(node: NodeNamespace, cgroup: String?, workload: Workload) throws -> Traffic.ClientResult {
        let target = workload.target
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "client", node.name, cgroup ?? "-", "\(target.key.address)", String(target.key.port), String(connects), String(seconds),
            target.backends.map { "\($0.address.ip)" }.joined(separator: ","),
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // On a signal the client must go before its cgroup can be removed.
        let stop = Cleanup.shared.add("stop client") {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        defer { Cleanup.shared.run(stop) }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = try? JSONDecoder().decode(Traffic.ClientResult.self, from: data) else {
            throw BenchError("client in \(node.name) exited \(process.terminationStatus): \(String(decoding: data, as: UTF8.self))")
        }
        return result
    }
}

/// The median, in milliseconds.
func median(_ durations: [Duration]) -> Double {
    let sorted = durations.map(milliseconds).sorted()
    return sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

/// kube-proxy's iptables mode, replayed: the jumps it ensures, then a full sync, then the
/// partial sync of one endpoint change, each through iptables-restore as kube-proxy calls it
/// (`-w 5 -W 100000 --noflush --counters`).
struct IptablesSide {
    enum Variant: String, CaseIterable {
        case nft = "iptables-nft"
        case legacy = "iptables-legacy"
        var restore: String { self == .nft ? "/usr/sbin/iptables-nft-restore" : "/usr/sbin/iptables-legacy-restore" }
    }

    static let options = KubeProxyRulesOptions(clusterCIDR: IPPrefix("10.128.0.0/14"))

    let variant: Variant
    let topology: Topology
    let measurement: Measurement

    func run(_ workload: Workload, node: NodeNamespace) throws -> Row {
        let command = [variant.restore, "-w", "5", "-W", "100000", "--noflush", "--counters"]
        let flushing = command.filter { $0 != "--noflush" }
        let work = topology.workDirectory
        let stderr = "\(work)/restore.err"
        func file(_ name: String, _ text: String) throws -> String {
            let path = "\(work)/\(variant.rawValue)-\(workload.frontends.count)-\(name).rules"
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }
        func restore(_ name: String, _ text: String, arguments: [String] = command, limit: Duration? = nil) throws -> Duration {
            try Spawn.timed(in: node.name, arguments, stdinPath: try file(name, text), stderrPath: stderr, limit: limit)
        }
        let jumps = { _ = try restore("jumps", KubeProxyRules.jumpRules) }

        let rules = KubeProxyRules(frontends: workload.frontends, options: Self.options)
        let fullText = rules.fullSync()
        var row = Row(datapath: variant.rawValue, services: workload.frontends.count, fullSyncWrites: Self.ruleCount(fullText))
        var fullTimes: [Duration] = []
        do {
            for attempt in 0..<measurement.repeats {
                if attempt > 0 {
                    // Back to an empty node: without --noflush, empty tables replace both.
                    _ = try restore("empty", "*filter\nCOMMIT\n*nat\nCOMMIT\n", arguments: flushing)
                }
                try jumps()
                fullTimes.append(try restore("full", fullText, limit: measurement.restoreLimit))
            }
            row.fullSyncMs = median(fullTimes)
        } catch let timeout as TimedOut {
            // iptables-nft's --noflush path slows down with the number of chains already known
            // (minutes at 10,000 services). Load the same input the way it is fast, flushing
            // both tables, so the change and the traffic can still be measured; then put the
            // jumps from the built-in chains back (the flush took them).
            row.fullSyncTimedOutAfterMs = milliseconds(timeout.limit)
            row.fullSyncFlushingMs = milliseconds(try restore("full", fullText, arguments: flushing))
            try jumps()
        }

        // The endpoint change, back and forth (each way is one endpoint replaced), ending changed.
        let changed = workload.replacingOneEndpoint()
        let changedRules = KubeProxyRules(frontends: changed.frontends, options: Self.options)
        let forward = changedRules.partialSync(changed: [changed.target.service], previous: rules)
        let back = rules.partialSync(changed: [changed.target.service], previous: changedRules)
        var changeTimes: [Duration] = []
        for attempt in 0..<(2 * measurement.repeats - 1) {
            changeTimes.append(try attempt % 2 == 0 ? restore("forward", forward) : restore("back", back))
        }
        row.oneChangeMs = median(changeTimes)
        row.oneChangeWrites = Self.ruleCount(forward)
        row.record(try measurement.traffic(node: node, cgroup: nil, workload: changed))
        return row
    }

    static func ruleCount(_ text: String) -> Int { text.split(separator: "\n").count { $0.hasPrefix("-A ") } }
}

/// Hedgerow: the same services as a ServiceModel written by ServiceMapSync into fresh pinned
/// maps, the socket-LB programs on a cgroup the client joins.
struct HedgerowSide {
    let topology: Topology
    let measurement: Measurement
    let objectDirectory: String

    func run(_ workload: Workload, node: NodeNamespace) throws -> Row {
        let pinRoot = "/sys/fs/bpf/hkp-\(topology.tag)-\(workload.frontends.count)"
        let cgroup = "/sys/fs/cgroup/unified/hkp-\(topology.tag)-\(workload.frontends.count)"
        guard mkdir(cgroup, 0o755) == 0 else { throw BenchError("mkdir \(cgroup): \(String(cString: strerror(errno)))") }
        let removeCgroup = Cleanup.shared.add("rmdir \(cgroup)") { rmdir(cgroup) }
        defer { Cleanup.shared.run(removeCgroup) }
        // Registered after the cgroup, so it runs first (defers and Cleanup both go newest
        // first): removing the link pins detaches the programs, then the cgroup goes.
        let unpin = Cleanup.shared.add("unpin \(pinRoot)") { try? BPFPin.removeTree(pinRoot) }
        defer { Cleanup.shared.run(unpin) }

        // Full syncs into fresh maps: each attempt unpins the previous maps and loads anew.
        let model = workload.model
        let clock = ContinuousClock()
        var datapath: ServiceDatapath?
        var fullTimes: [Duration] = []
        var planTimes: [Duration] = []
        var fullReport: ServiceSyncReport?
        for _ in 0..<measurement.repeats {
            datapath = nil
            try? BPFPin.removeTree(pinRoot)
            let fresh = try ServiceDatapath(objectDirectory: objectDirectory, pinDirectory: pinRoot, nodeName: "bench-node")
            // The same planning apply(model) starts with, alone: how much of a full sync is Swift.
            planTimes.append(clock.measure { _ = fresh.sync.plan(for: model) })
            fullTimes.append(try clock.measure { fullReport = try fresh.sync.apply(model) })
            datapath = fresh
        }
        guard let datapath else { throw BenchError("no full sync ran (--repeat 0?)") }

        // The endpoint change, back and forth (each way is one endpoint replaced), ending changed.
        let changed = workload.replacingOneEndpoint()
        var forward = ServiceModelChange()
        let diff = clock.measure { forward = changed.model.diff(from: model) }
        let back = model.diff(from: changed.model)
        var changeTimes: [Duration] = []
        var changeReport: ServiceSyncReport?
        for attempt in 0..<(2 * measurement.repeats - 1) {
            let change = attempt % 2 == 0 ? forward : back
            changeTimes.append(try clock.measure { changeReport = try datapath.sync.apply(change) })
        }

        try datapath.attach(cgroupPath: cgroup)
        let traffic: Traffic.ClientResult
        do {
            traffic = try measurement.traffic(node: node, cgroup: cgroup, workload: changed)
        } catch {
            _ = try? datapath.detach(cgroupPath: cgroup)
            throw error
        }
        try datapath.detach(cgroupPath: cgroup)
        var row = Row(
            datapath: "hedgerow", services: workload.frontends.count, fullSyncMs: median(fullTimes), oneChangeMs: median(changeTimes),
            fullSyncWrites: fullReport?.writes ?? 0, oneChangeWrites: changeReport?.writes ?? 0, diffMs: milliseconds(diff),
            fullSyncPlanMs: median(planTimes))
        row.record(traffic)
        return row
    }
}
