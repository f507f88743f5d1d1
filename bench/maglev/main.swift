// Maglev table build time and service model build + diff time.
//
//   swift run -c release maglev-bench [--output bench/results/maglev.json] [--quick]
//
// Prints a table and writes the numbers as JSON. Not a test: nothing here asserts a speed.
import Foundation
import HedgerowCore

struct Measurement: Codable {
    var name: String
    var parameters: [String: Int]
    var runs: Int
    var medianMilliseconds: Double
    var minMilliseconds: Double
}

/// Runs `body` `runs` times after one warm-up run and returns the timings in milliseconds.
func measure(_ name: String, _ parameters: [String: Int], runs: Int, _ body: () -> Void) -> Measurement {
    body()
    let clock = ContinuousClock()
    var samples: [Double] = []
    for _ in 0..<runs {
        let elapsed = clock.measure(body)
        samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
    }
    samples.sort()
    return Measurement(
        name: name, parameters: parameters, runs: runs, medianMilliseconds: samples[samples.count / 2],
        minMilliseconds: samples[0])
}

/// Keeps results alive so the optimizer cannot drop the work.
nonisolated(unsafe) var sink = 0

// MARK: Workloads

func backendNames(_ count: Int) -> [String] {
    (0..<count).map { "10.\(42 + $0 / 62500).\($0 / 250 % 250).\($0 % 250 + 1):8080" }
}

/// `count` services in 100 namespaces: every tenth is a NodePort, each has 3 backends on 3 nodes.
func cluster(services count: Int) -> (services: [Service], slices: [EndpointSlice]) {
    var services: [Service] = []
    var slices: [EndpointSlice] = []
    services.reserveCapacity(count)
    slices.reserveCapacity(count)
    for index in 0..<count {
        let namespace = "ns-\(index % 100)"
        let name = "svc-\(index)"
        let isNodePort = index % 10 == 0
        services.append(
            Service(
                namespace: namespace, name: name, type: isNodePort ? .nodePort : .clusterIP,
                clusterIPs: [.v4(0x0A2B_0000 + UInt32(index))],
                ports: [ServicePort(name: "http", port: 80, targetPort: .number(8080), nodePort: isNodePort ? UInt16(30000 + index / 10) : nil)],
                selector: ["app": name]))
        let endpoints = (0..<3).map { replica in
            Endpoint(
                addresses: [.v4(0x0A2A_0000 + UInt32(index * 3 + replica))], nodeName: "node-\(replica)",
                targetRef: ObjectReference(kind: "Pod", namespace: namespace, name: "\(name)-\(replica)"))
        }
        slices.append(
            EndpointSlice(
                namespace: namespace, name: "\(name)-abcde", labels: [EndpointSlice.serviceNameLabel: name],
                endpoints: endpoints, ports: [EndpointPort(name: "http", port: 8080)]))
    }
    return (services, slices)
}

// MARK: Run

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let output = arguments.firstIndex(of: "--output").map { arguments[$0 + 1] } ?? "bench/results/maglev.json"
var results: [Measurement] = []

for size in [16381, 65537] {
    let configuration = try! MaglevConfiguration(tableSize: size)
    for count in [100, 1000] {
        let names = backendNames(count)
        results.append(
            measure("maglev table build", ["backends": count, "tableSize": size], runs: quick ? 3 : 20) {
                sink &+= Int(MaglevTable(backendNames: names, configuration: configuration).entries[0])
            })
    }
}

let serviceCount = 10_000
let (services, slices) = cluster(services: serviceCount)
let parameters = ["services": serviceCount, "backendsPerService": 3]
let runs = quick ? 3 : 10
results.append(
    measure("model build, no saved ids", parameters, runs: runs) {
        var ids = ServiceIDAllocator()
        sink &+= ServiceModel.build(services: services, endpointSlices: slices, nodeName: "node-0", ids: &ids).frontends.count
    })

var ids = ServiceIDAllocator()
let baseline = ServiceModel.build(services: services, endpointSlices: slices, nodeName: "node-0", ids: &ids)
results.append(
    measure("model rebuild, ids kept", parameters, runs: runs) {
        sink &+= ServiceModel.build(services: services, endpointSlices: slices, nodeName: "node-0", ids: &ids).frontends.count
    })
results.append(
    measure("diff: all frontends added", parameters, runs: runs) {
        sink &+= baseline.diff(from: ServiceModel()).added.count
    })

// One endpoint of one service changes: rebuild the whole model and diff it against the last.
var changedSlices = slices
changedSlices[serviceCount / 2].endpoints[1].conditions = EndpointConditions(ready: false, serving: true, terminating: true)
let changed = ServiceModel.build(services: services, endpointSlices: changedSlices, nodeName: "node-0", ids: &ids)
results.append(
    measure("diff: one endpoint changed", parameters, runs: runs) {
        sink &+= changed.diff(from: baseline).changed.count
    })
results.append(
    measure("rebuild + diff: one endpoint changed", parameters, runs: runs) {
        let model = ServiceModel.build(services: services, endpointSlices: changedSlices, nodeName: "node-0", ids: &ids)
        sink &+= model.diff(from: baseline).changed.count
    })

// The fast path: recompute only the changed service in place.
let changedService = services[serviceCount / 2]
var updatable = baseline
var updateIDs = ids
results.append(
    measure("in-place update: one endpoint changed", parameters, runs: runs) {
        var model = updatable
        sink &+= model.update(
            service: changedService.namespacedName, to: changedService, endpointSlices: [changedSlices[serviceCount / 2]],
            nodeName: "node-0", ids: &updateIDs
        ).changed.count
    })
_ = updatable.update(
    service: changedService.namespacedName, to: changedService, endpointSlices: [changedSlices[serviceCount / 2]],
    nodeName: "node-0", ids: &updateIDs)
precondition(updatable.frontends == changed.frontends, "in-place update and full rebuild disagree")

// What the agent does per cluster event: diff the cluster states, find the services the change
// touches, recompute those (10,000 services, 10,000 slices: the diff walks them all).
let clusterBefore = ClusterState(namespaces: [], pods: [], services: services, endpointSlices: slices)
let clusterAfter = ClusterState(namespaces: [], pods: [], services: services, endpointSlices: changedSlices)
var agentModel = baseline
var agentIDs = ids
results.append(
    measure("agent: cluster diff + touched update", parameters, runs: runs) {
        var model = agentModel
        let touched = ServiceModel.servicesAffected(
            by: clusterAfter.diff(from: clusterBefore), before: clusterBefore, after: clusterAfter)
        sink &+= model.update(services: touched, in: clusterAfter, nodeName: "node-0", ids: &agentIDs).changed.count
    })
_ = agentModel.update(
    services: ServiceModel.servicesAffected(by: clusterAfter.diff(from: clusterBefore), before: clusterBefore, after: clusterAfter),
    in: clusterAfter, nodeName: "node-0", ids: &agentIDs)
precondition(agentModel.frontends == changed.frontends, "the agent's path and a full rebuild disagree")

// MARK: Report

let frontendCount = baseline.frontends.count
print("Maglev and service model (release build, \(ProcessInfo.processInfo.activeProcessorCount) CPUs; \(frontendCount) frontends for \(serviceCount) services)")
print("")
func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
print(pad("benchmark", 40) + pad("parameters", 40) + pad("median ms", 12) + "min ms")
for result in results {
    let shown = result.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    print(
        pad(result.name, 40) + pad(shown, 40) + pad(String(format: "%.3f", result.medianMilliseconds), 12)
            + String(format: "%.3f", result.minMilliseconds))
}

struct Report: Codable {
    var benchmark = "maglev"
    var frontends: Int
    var results: [Measurement]
}
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
let url = URL(fileURLWithPath: output)
try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
try! encoder.encode(Report(frontends: frontendCount, results: results)).write(to: url)
print("\nwrote \(output)")
if sink == 42 { print("") }
