import Foundation
import HedgerowTestSupport

/// labs/netpol.yaml brought up once for the whole suite: echo servers on 80/81 TCP+UDP and SCTP
/// INIT answerers on 80/81 (raw IP) in all 9 pods, policies applied through hpolicy, labels
/// changed by rewriting the manifests the agent watches, and whole matrices probed with one
/// `hlab probe-matrix` per source pod.
final class ConformanceLab {
    let lab: LabHarness
    private(set) var podIPs: [PodName: String] = [:]
    private var servers: [Process] = []
    private var applied: Set<String> = []  // NetworkPolicy NAMESPACE/NAME currently in force
    private var originalManifests: [String: Data] = [:]  // path -> content before a case changed it
    static let podCIDR = "10.244.1.0/24"
    static let probeTimeout = "300ms"

    init() throws {
        lab = try LabHarness(file: "labs/netpol.yaml", prefix: "cnf")
        do {
            let endpoints = try LabHarness.eventually(timeout: .seconds(30), "9 endpoints") {
                let list = try lab.endpoints()
                return list.count == 9 && list.allSatisfy { !$0.ips.isEmpty } ? list : nil
            }
            for endpoint in endpoints { podIPs[PodName(namespace: endpoint.namespace, name: endpoint.podName)] = endpoint.ips[0] }
            for pod in PodName.all {
                servers.append(try lab.spawn(pod.description, [TestPaths.binary("hlab"), "serve", "--tcp", "80,81", "--udp", "80,81", "--sctp", "80,81"]))
            }
        } catch {
            close()
            throw error
        }
    }

    func close() {
        for server in servers { server.terminate(); server.waitUntilExit() }
        servers = []
        lab.down()
    }

    // MARK: Probing

    /// Every source pod probes every pod on each port/protocol, all 9 sources at once.
    func probe(_ ports: [(port: UInt16, proto: String)]) throws -> [String: [PodName: [PodName: Observation]]] {
        let outputs = OutputSlots(count: PodName.all.count)
        let targets = PodName.all.flatMap { pod in ports.map { "\(podIPs[pod]!):\($0.port)/\($0.proto)" } }.joined(separator: ",")
        let done = DispatchGroup()
        for (index, source) in PodName.all.enumerated() {
            done.enter()
            let command = [TestPaths.binary("hlab"), "exec", "--lab", lab.name, source.description, "--",
                           TestPaths.binary("hlab"), "probe-matrix", "--targets", targets, "--timeout", Self.probeTimeout]
            Thread {
                outputs.set(index, Result { try Shell.run(command) })
                done.leave()
            }.start()
        }
        done.wait()
        let byAddress = Dictionary(uniqueKeysWithValues: podIPs.map { ($1, $0) })
        var result: [String: [PodName: [PodName: Observation]]] = [:]
        for (index, source) in PodName.all.enumerated() {
            for line in try outputs.get(index).get().split(separator: "\n") {
                // "10.244.1.3:80/tcp ok"
                let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
                let target = fields[0].split(separator: "/").map(String.init)
                let hostPort = target[0].split(separator: ":").map(String.init)
                guard fields.count == 2, target.count == 2, hostPort.count == 2, let pod = byAddress[hostPort[0]] else {
                    throw ConformanceError("unexpected probe-matrix line from \(source): \(line)")
                }
                result["\(hostPort[1])/\(target[1])", default: [:]][source, default: [:]][pod] = Observation(verdict: fields[1])
            }
        }
        return result
    }

    // MARK: Policies

    /// Applies NetworkPolicy objects (after substituting pod IPs) through hpolicy.
    func apply(_ objects: [[String: Any]]) throws {
        for object in objects {
            var text = try YAMLData.json(object)
            text = text.replacingOccurrences(of: "${podCIDR}", with: Self.podCIDR)
            for (pod, ip) in podIPs { text = text.replacingOccurrences(of: "${\(pod)}", with: ip) }
            let metadata = object["metadata"] as? [String: Any]
            guard let namespace = metadata?["namespace"] as? String, let name = metadata?["name"] as? String else {
                throw ConformanceError("policy without metadata.namespace/name:\n\(text)")
            }
            try Shell.run(lab.hpolicyCommand(["apply", "-f", "-"]), stdin: text)
            applied.insert("\(namespace)/\(name)")
        }
    }

    func delete(_ names: [String]) throws {
        for name in names {
            try lab.hpolicy(["delete", "NetworkPolicy/\(name)"])
            applied.remove(name)
        }
    }

    // MARK: Labels

    func setPodLabels(_ pod: PodName, _ labels: [String: String]) throws {
        try rewriteLabels(at: "\(lab.stateDirectory)/manifests/pod-\(pod.namespace)-\(pod.name).yaml", labels)
    }

    /// The API server's kubernetes.io/metadata.name label stays, as it does on a real cluster.
    func setNamespaceLabels(_ namespace: String, _ labels: [String: String]) throws {
        try rewriteLabels(at: "\(lab.stateDirectory)/manifests/namespace-\(namespace).yaml",
                          labels.merging(["kubernetes.io/metadata.name": namespace]) { given, _ in given })
    }

    private func rewriteLabels(at path: String, _ labels: [String: String]) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if originalManifests[path] == nil { originalManifests[path] = data }
        guard var object = try YAMLData.load(String(decoding: data, as: UTF8.self), source: path) as? [String: Any],
              var metadata = object["metadata"] as? [String: Any]
        else { throw ConformanceError("\(path): not a Kubernetes object") }
        metadata["labels"] = labels
        object["metadata"] = metadata
        try writeAtomically(Data(try YAMLData.json(object).utf8), to: path)  // JSON is YAML too
    }

    /// Hidden temporary then rename: the agent skips hidden files and never sees half a file.
    private func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, path) == 0 else { throw ConformanceError("rename \(temporary.path) -> \(path) failed") }
    }

    // MARK: Reset

    /// Back to the lab's starting point: no policies, the original labels. Returns whether labels
    /// had to be restored (the agent picks those up on its next manifest poll).
    @discardableResult
    func reset() throws -> Bool {
        try delete(applied.sorted())
        let restoredLabels = !originalManifests.isEmpty
        for (path, data) in originalManifests { try writeAtomically(data, to: path) }
        originalManifests = [:]
        return restoredLabels
    }
}

/// Outputs of the 9 prober processes, each written by its own thread.
private final class OutputSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<String, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<String, any Error>) { lock.withLock { slots[index] = value } }
    func get(_ index: Int) -> Result<String, any Error> { lock.withLock { slots[index]! } }
}
