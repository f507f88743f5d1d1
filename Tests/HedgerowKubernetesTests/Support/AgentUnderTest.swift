import Foundation
import HedgerowTestSupport

/// A real `hagent run` child process for one test, with a node name, pin directory, state
/// directory and API socket of its own and no metrics listener, in the test's network namespace
/// (it attaches nothing there: no `--cgroup`, no `--uplink`, no endpoints). `stop()` ends it and
/// removes everything it left (pins, state, socket, log).
///
/// @unchecked Sendable: the Process is only started in `init` and signalled/waited in `stop`,
/// which the test calls once.
final class AgentUnderTest: @unchecked Sendable {
    enum Source {
        case kubeconfig(String)
        case manifests(String)
    }

    let node: String
    let pinDirectory: String
    let directory: String
    var stateDirectory: String { "\(directory)/state" }
    var socket: String { "\(directory)/agent.sock" }
    var logFile: String { "\(directory)/agent.log" }
    private let process = Process()

    init(source: Source, node: String) throws {
        try Privileged.require()
        self.node = node
        pinDirectory = "/sys/fs/bpf/hedgerow/\(UniqueName.make("kct"))"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(UniqueName.make("kct")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: logFile, contents: nil)
        let sourceArguments: [String]
        switch source {
        case .kubeconfig(let file): sourceArguments = ["--kubeconfig", file]
        case .manifests(let path): sourceArguments = ["--manifests", path]
        }
        process.executableURL = URL(fileURLWithPath: TestPaths.binary("hagent"))
        process.arguments = ["run", "--node-name", node] + sourceArguments + [
            "--pin-dir", pinDirectory, "--state-dir", stateDirectory, "--api-socket", socket,
            "--bpf-dir", TestPaths.bpfObjects.path, "--metrics-listen", "off",
        ]
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
    }

    /// SIGTERM (the agent leaves its datapath pinned on purpose), then removes the pins and files.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: pinDirectory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    // MARK: The agent's CLIs

    func hagent(_ arguments: [String]) throws -> String {
        try Shell.run([TestPaths.binary("hagent")] + arguments + ["--api-socket", socket])
    }

    func hpolicy(_ arguments: [String]) throws -> String {
        try Shell.run([TestPaths.binary("hpolicy")] + arguments + ["--api-socket", socket])
    }

    /// `hagent status -o json`, or nil while the API does not answer.
    func status() -> [String: Any]? {
        guard let json = try? hagent(["status", "-o", "json"]) else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    }

    /// Waits (bounded) until the agent says it is ready; fails with its log if it exits first.
    func waitUntilReady(limit: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            guard process.isRunning else { throw TestEnvironmentError("hagent exited (\(process.terminationStatus)):\n\(log.suffix(3000))") }
            if status()?["ready"] as? Bool == true { return }
            usleep(200_000)
        }
        throw TestEnvironmentError("hagent was not ready within \(Int(limit)) s:\n\(log.suffix(3000))")
    }

    /// Polls (bounded) until `condition` returns a value; the last value seen goes into the error.
    @discardableResult
    func eventually<T>(_ what: String, limit: TimeInterval = 30, _ condition: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(limit)
        var lastError: (any Error)?
        while Date() < deadline {
            do {
                if let value = try condition() { return value }
            } catch { lastError = error }
            usleep(200_000)
        }
        throw TestEnvironmentError("timed out waiting for \(what)\(lastError.map { ": \($0)" } ?? "")\n\(log.suffix(2000))")
    }

    /// What the agent enforces and translates, as its CLIs and pinned maps show it.
    func snapshot(podIPs: Set<String>) throws -> AgentSnapshot {
        AgentSnapshot(
            identities: try ipcacheIdentities().filter { podIPs.contains($0.key) },
            services: try AgentSnapshot.services(fromJSON: hagent(["services", "-o", "json"])),
            policies: AgentSnapshot.policies(fromTable: try hpolicy(["get"])))
    }

    /// Address -> identity of every /32 in the pinned ipcache (`bpftool map dump`, raw bytes:
    /// the key is prefixlen u32, a 16-byte IPv4-mapped address, padding; the value starts with
    /// the identity u32, all little-endian on this machine).
    func ipcacheIdentities() throws -> [String: UInt32] {
        let dump = try Shell.run("bpftool", "-j", "map", "dump", "pinned", "\(pinDirectory)/hedgerow_ipcache")
        let entries = try AgentSnapshot.parse(dump, "bpftool map dump") as? [[String: Any]] ?? []
        var identities: [String: UInt32] = [:]
        for entry in entries {
            guard let key = (entry["key"] as? [String]).map(Self.bytes), let value = (entry["value"] as? [String]).map(Self.bytes),
                  key.count >= 20, value.count >= 4
            else { throw TestEnvironmentError("unexpected ipcache entry in bpftool output: \(entry)") }
            let prefixLength = Self.littleEndian(key[0..<4])
            guard prefixLength == 128, key[4..<14].allSatisfy({ $0 == 0 }), key[14] == 0xff, key[15] == 0xff else { continue }
            identities[key[16..<20].map(String.init).joined(separator: ".")] = Self.littleEndian(value[0..<4])
        }
        return identities
    }

    private static func bytes(_ hex: [String]) -> [UInt8] { hex.compactMap { UInt8($0.dropFirst(2), radix: 16) } }
    private static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// An agent's observable state: pod address -> identity, service rows, policy names.
struct AgentSnapshot: Equatable, CustomStringConvertible {
    var identities: [String: UInt32]
    /// "id|ns/name|frontend|kind|backend;backend..." per service frontend, sorted.
    var services: [String]
    /// "Kind ns/name", sorted.
    var policies: [String]

    /// Identity numbers are an agent's own history (allocated identities keep their number while
    /// referenced): the same grouping of addresses, with reserved numbers kept and allocated ones
    /// renamed in address order, is what two agents must agree on. Service ids likewise.
    var withoutNumbering: AgentSnapshot {
        var renamed: [UInt32: UInt32] = [:]
        var identities: [String: UInt32] = [:]
        for (address, identity) in self.identities.sorted(by: { Self.order($0.key, $1.key) }) {
            guard identity >= 256 else { identities[address] = identity; continue }
            if renamed[identity] == nil { renamed[identity] = 256 + UInt32(renamed.count) }
            identities[address] = renamed[identity]
        }
        let services = self.services.map { $0.split(separator: "|", maxSplits: 1).last.map(String.init) ?? $0 }.sorted()
        return AgentSnapshot(identities: identities, services: services, policies: policies)
    }

    var description: String {
        let ids = identities.sorted { Self.order($0.key, $1.key) }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "identities: \(ids)\nservices: \(services.joined(separator: "\n  "))\npolicies: \(policies)"
    }

    private static func order(_ a: String, _ b: String) -> Bool {
        a.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes(b.split(separator: ".").compactMap { Int($0) })
    }

    static func parse(_ json: String, _ what: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(json.utf8))
        } catch {
            throw TestEnvironmentError("\(what) printed no JSON: \(json.prefix(1000))")
        }
    }

    static func services(fromJSON json: String) throws -> [String] {
        let root = try parse(json, "hagent services -o json") as? [String: Any] ?? [:]
        let services = root["services"] as? [[String: Any]] ?? []
        return services.map { service in
            let backends = (service["backends"] as? [[String: Any]] ?? []).map { backend in
                ["address", "state", "node_name", "pod"].map { "\(backend[$0] ?? "")" }.joined(separator: " ")
            }
            let fields = ["namespace", "name", "frontend", "kind", "traffic_policy"].map { "\(service[$0] ?? "")" }
            return (["\(service["id"] ?? 0)"] + fields + [backends.sorted().joined(separator: ";")]).joined(separator: "|")
        }.sorted()
    }

    /// From `hpolicy get`'s table (its `-o json` prints no JSON for policies that came from the
    /// cluster state: their documents are not kept).
    static func policies(fromTable table: String) -> [String] {
        table.split(separator: "\n").dropFirst().map { line in
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            // KIND NAMESPACE NAME SOURCE; a clusterwide policy has no namespace.
            return words.count >= 4 ? "\(words[0]) \(words[1])/\(words[2])" : words.prefix(2).joined(separator: " ")
        }.sorted()
    }
}
