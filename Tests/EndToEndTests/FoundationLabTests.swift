import Foundation
import HedgerowAPI
import HedgerowTestSupport
import Testing

/// The Foundation issue end to end: a lab of 3 pods in 2 namespaces built through the real CNI
/// chain (ptp + host-local + hedgerow-cni), the agent in the node namespace, real traffic.
@Suite(.serialized) struct FoundationLabTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func endpointsTrafficDeletionRestartAndTeardown() throws {
        let lab = try LabHarness()
        var tornDown = false
        defer { if !tornDown { lab.down() } }

        // The agent lists the 3 endpoints with namespace, pod name, IP and interface.
        let endpoints = try LabHarness.eventually("3 endpoints") { () -> [Hedgerow_Agent_V1_Endpoint]? in
            let list = try lab.endpoints()
            return list.count == 3 ? list : nil
        }
        #expect(Set(endpoints.map { "\($0.namespace)/\($0.podName)" }) == ["x/a", "x/b", "y/a"])
        for endpoint in endpoints {
            #expect(endpoint.state == .ready)
            #expect(endpoint.ips.count == 1 && endpoint.ips[0].hasPrefix("10.244.1."))
            #expect(!endpoint.interfaceName.isEmpty && endpoint.interfaceIndex > 0)
            #expect(try lab.filters(on: endpoint.interfaceName) == LabHarness.FilterCount(ingress: 1, egress: 1))
        }
        let byPod = Dictionary(uniqueKeysWithValues: endpoints.map { ("\($0.namespace)/\($0.podName)", $0) })
        let server = try #require(byPod["x/b"])
        let serverIP = server.ips[0]

        // Pods reach each other over TCP and UDP, across namespaces too.
        let echo = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80", "--udp", "80"])
        defer { echo.terminate(); echo.waitUntilExit() }
        for client in ["x/a", "y/a"] {
            for proto in ["tcp", "udp"] {
                try LabHarness.eventually("\(client) -> x/b:80/\(proto)") {
                    try lab.execStatus(client, [TestPaths.binary("hlab"), "probe", "\(serverIP):80", "--protocol", proto, "--timeout", "1s"]) == 0 ? true : nil
                }
            }
        }

        // Per-endpoint counters moved in both directions.
        let afterTraffic = try lab.endpoints()
        let serverCounters = try #require(afterTraffic.first { $0.podName == "b" })
        #expect(serverCounters.ingress.packets > 0 && serverCounters.egress.packets > 0)

        // kill -9, restart: one set of filters per endpoint, counters continue, endpoints adopted.
        try lab.killAgent()
        try LabHarness.eventually("traffic with the agent down") {
            try lab.execStatus("x/a", [TestPaths.binary("hlab"), "probe", "\(serverIP):80", "--protocol", "tcp", "--timeout", "1s"]) == 0 ? true : nil
        }
        try lab.startAgent()
        let restarted = try LabHarness.eventually("endpoints after restart") { () -> [Hedgerow_Agent_V1_Endpoint]? in
            let list = try lab.endpoints()
            return list.count == 3 ? list : nil
        }
        #expect(try lab.status().adoptedEndpoints == 3)
        for endpoint in restarted {
            #expect(try lab.filters(on: endpoint.interfaceName) == LabHarness.FilterCount(ingress: 1, egress: 1))
            let before = try #require(afterTraffic.first { $0.containerID == endpoint.containerID })
            #expect(endpoint.id == before.id)
            #expect(endpoint.ingress.packets >= before.ingress.packets)
            #expect(endpoint.egress.packets >= before.egress.packets)
        }

        // Deleting a pod through CNI DEL removes its endpoint and its map entry.
        try LabHarness.hlab(["delete-pod", "--lab", lab.name, "y/a"])
        let remaining = try lab.endpoints()
        #expect(Set(remaining.map { "\($0.namespace)/\($0.podName)" }) == ["x/a", "x/b"])
        #expect(try lab.endpointMapEntries() == 2)

        // `hlab down` leaves no namespace, link, cgroup, pin or state behind.
        echo.terminate()
        echo.waitUntilExit()
        lab.down()
        tornDown = true
        try lab.expectNothingLeft()
    }

    /// A pod the agent does not know: CNI ADD fails with the agent's reason, and nothing is
    /// registered. Called exactly as a runtime calls the plugin (env + config on stdin).
    @Test(.enabled(if: Privileged.shouldRun))
    func unknownPodIsRejectedAndNothingIsRegistered() throws {
        let lab = try LabHarness(prefix: "e2u")
        defer { lab.down() }
        _ = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? true : nil }
        let previous = try lab.cniResult(pod: "x/a")
        let config = """
            {"cniVersion":"1.0.0","name":"lab","type":"hedgerow-cni","agentSocket":"\(lab.agentSocket())","prevResult":\(previous)}
            """
        let result = try Shell.capture(
            [TestPaths.binary("hedgerow-cni")], stdin: config,
            environment: [
                "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "ghost-1", "CNI_NETNS": "/run/netns/hl-\(lab.name)-x-a",
                "CNI_IFNAME": "eth0",
                "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=ghost", "CNI_PATH": "/usr/lib/cni",
            ])
        #expect(result.status != 0)
        #expect(result.stdout.contains("\"code\" : 100") || result.stdout.contains("\"code\":100"))
        #expect(result.stdout.contains("pod x/ghost is not known"))
        #expect(try lab.endpoints().count == 3)

        // CHECK, as a runtime calls it: fine for a registered pod, an error for an unknown container.
        func check(_ containerID: String) throws -> (status: Int32, stdout: String, stderr: String) {
            try Shell.capture(
                [TestPaths.binary("hedgerow-cni")], stdin: config,
                environment: [
                    "CNI_COMMAND": "CHECK", "CNI_CONTAINERID": containerID, "CNI_NETNS": "/run/netns/hl-\(lab.name)-x-a",
                    "CNI_IFNAME": "eth0", "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a",
                    "CNI_PATH": "/usr/lib/cni",
                ])
        }
        #expect(try check(try lab.containerID(pod: "x/a")).status == 0)
        let unknown = try check("ghost-1")
        #expect(unknown.status != 0 && unknown.stdout.contains("no endpoint for container ghost-1"))
    }
}
