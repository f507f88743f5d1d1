import Foundation
import HedgerowLab
import HedgerowTestSupport
import Testing

/// End-to-end tests of `hlab` without agents: real namespaces, the real ptp/host-local chain,
/// real traffic between pods. Each test uses its own lab name and tears it down in `defer`.
@Suite("hlab labs (privileged)", .serialized)
struct LabLifecycleTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func podsGetAddressesTalkAndAreRemovedCleanly() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        let state = try Hlab.upBasic(lab)

        // Three pods, each with its own address from the node's range and a host-side veth.
        #expect(state.pods.map(\.spec.qualifiedName).sorted() == ["x/a", "x/b", "y/a"])
        let ips = state.pods.compactMap(\.ip)
        #expect(ips.count == 3 && Set(ips).count == 3)
        let range = IPv4CIDR("10.244.1.0/24")!
        #expect(ips.allSatisfy { range.contains(IPv4CIDR.parseAddress($0) ?? 0) })
        #expect(state.pods.allSatisfy { $0.hostInterface?.hasPrefix("veth") == true && $0.cniResult != nil })
        let hostInterfaces = state.pods.compactMap(\.hostInterface)
        let a = state.pod(namespace: "x", name: "a")!, b = state.pod(namespace: "x", name: "b")!, ya = state.pod(namespace: "y", name: "a")!

        // The pod's eth0 carries its address; the node routes to every pod.
        let address = try Hlab.succeed(["exec", "--lab", lab, "x/a", "--", "ip", "-4", "-o", "addr", "show", "dev", "eth0"])
        #expect(address.stdout.contains("inet \(a.ip!)/"))
        let routes = try Hlab.succeed(["node-exec", "--lab", lab, "node1", "--", "ip", "route"]).stdout
        #expect(ips.allSatisfy { routes.contains("\($0) dev veth") })
        let manifest = try String(contentsOfFile: LabLayout(lab: lab).podManifest(namespace: "x", pod: "b"), encoding: .utf8)
        #expect(manifest.contains("podIP: \(b.ip!)") && manifest.contains("nodeName: node1") && manifest.contains("containerPort: 80"))

        // Commands run in the pod's cgroup, and their exit status comes back.
        let cgroup = try Hlab.succeed(["exec", "--lab", lab, "x/a", "--", "cat", "/proc/self/cgroup"]).stdout
        #expect(cgroup.contains("0::/hedgerow-lab-\(lab)/node1/x-a"))
        #expect(try Hlab.run(["exec", "--lab", lab, "x/a", "--", "sh", "-c", "exit 3"]).status == 3)

        // TCP and UDP between pods, within a namespace and across namespaces.
        let server = try BackgroundCommand([Hlab.path, "exec", "--lab", lab, "x/b", "--", Hlab.path, "serve", "--tcp", "80", "--udp", "80", "--id", "b"])
        defer { server.stop() }
        #expect(server.waitForLine("ready"), "serve did not start: \(server.output)")
        let tcp = try Hlab.succeed(["exec", "--lab", lab, "x/a", "--", Hlab.path, "probe", "\(b.ip!):80", "--protocol", "tcp"])
        #expect(tcp.stdout.hasPrefix("connected tcp \(b.ip!):80 reply=\"b probe "))
        let udp = try Hlab.succeed(["exec", "--lab", lab, "y/a", "--", Hlab.path, "probe", "\(b.ip!):80", "--protocol", "udp"])
        #expect(udp.stdout.hasPrefix("connected udp \(b.ip!):80 reply=\"b probe "))
        let closed = try Hlab.run(["exec", "--lab", lab, "y/a", "--", Hlab.path, "probe", "\(b.ip!):81", "--timeout", "500ms"])
        #expect(closed.status == 1 && closed.stdout.hasPrefix("refused tcp"))

        // delete-pod: CNI DEL releases the address, the pod's processes die, nothing remains.
        try Hlab.succeed(["delete-pod", "--lab", lab, "x/b"])
        #expect(server.waitForExit(timeout: 5), "the pod's server survived delete-pod")
        let after = try #require(try LabStateStore.load(lab: lab))
        #expect(after.pod(namespace: "x", name: "b") == nil && after.pods.count == 2)
        #expect(!NetworkNamespaces.exists(b.netns))
        #expect(!FileManager.default.fileExists(atPath: b.cgroup))
        #expect(!FileManager.default.fileExists(atPath: LabLayout(lab: lab).podManifest(namespace: "x", pod: "b")))
        #expect(!FileManager.default.fileExists(atPath: "\(LabLayout(lab: lab).ipamDataDir)/\(state.naming.networkName(node: "node1"))/\(b.ip!)"))
        let links = try Hlab.succeed(["node-exec", "--lab", lab, "node1", "--", "ip", "-o", "link"]).stdout
        #expect(!links.contains(b.hostInterface!) && links.contains(a.hostInterface!))
        let gone = try Hlab.run(["exec", "--lab", lab, "x/a", "--", Hlab.path, "probe", "\(b.ip!):80", "--timeout", "300ms"])
        #expect(gone.status == 1)
        #expect(try Hlab.succeed(["exec", "--lab", lab, "y/a", "--", "true"]).status == 0)
        _ = ya

        // A pin directory like the agent's is removed too (recursively).
        let pin = state.nodes[0].pinDirectory
        try FileManager.default.createDirectory(atPath: pin + "/maps", withIntermediateDirectories: true)

        try Hlab.succeed(["down", lab])
        #expect(try Hlab.traces(of: lab, hostInterfaces: hostInterfaces) == [])
        // Idempotent.
        try Hlab.succeed(["down", lab])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func downCleansACrashedLabWithoutState() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        let state = try Hlab.upBasic(lab)
        let server = try BackgroundCommand([Hlab.path, "exec", "--lab", lab, "y/a", "--", Hlab.path, "serve", "--tcp", "80"])
        defer { server.stop() }
        #expect(server.waitForLine("ready"), "serve did not start: \(server.output)")
        try FileManager.default.createDirectory(atPath: state.nodes[0].pinDirectory, withIntermediateDirectories: true)

        try FileManager.default.removeItem(atPath: state.layout.stateFile)
        let down = try Hlab.succeed(["down", lab])
        #expect(down.stderr.contains("removed"))
        #expect(server.waitForExit(timeout: 5), "a pod process survived down")
        #expect(try Hlab.traces(of: lab, hostInterfaces: state.pods.compactMap(\.hostInterface)) == [])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func upReplacesACrashedLabOfTheSameName() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        let first = try Hlab.upBasic(lab)
        try Data("{ corrupt".utf8).write(to: URL(fileURLWithPath: first.layout.stateFile))

        let again = try Hlab.succeed(["up", "--without-agent", "-f", Hlab.basicLab, "--name", lab])
        #expect(again.stderr.contains("leftovers"))
        let second = try #require(try LabStateStore.load(lab: lab))
        #expect(second.pods.count == 3 && second.pods.allSatisfy { $0.ip != nil })
        // The old pods' veths went with their namespaces.
        let links = try Hlab.succeed(["node-exec", "--lab", lab, "node1", "--", "ip", "-o", "link"]).stdout
        #expect(first.pods.compactMap(\.hostInterface).allSatisfy { !links.contains($0) })

        try Hlab.succeed(["down", lab])
        #expect(try Hlab.traces(of: lab) == [])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func badLabFileCreatesNothing() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        let file = NSTemporaryDirectory() + "/\(lab).yaml"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text = try String(contentsOfFile: Hlab.basicLab, encoding: .utf8)
            .replacingOccurrences(of: "{namespace: y, name: a,", with: "{namespace: y, name: a, colour: red,")
        try text.write(toFile: file, atomically: true, encoding: .utf8)

        let result = try Hlab.run(["up", "--without-agent", "-f", file, "--name", lab])
        #expect(result.status != 0)
        #expect(result.stderr.contains(file) && result.stderr.contains("pods[2].colour: unknown field"), "\(result.stderr)")
        #expect(try Hlab.traces(of: lab) == [])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func failedStartupIsRolledBack() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        // An agent lab whose bin dir has no hagent: up fails clearly and removes what it built.
        let empty = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(UniqueName.make("hlbin")).path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let result = try Hlab.run(["up", "-f", Hlab.basicLab, "--name", lab, "--bin-dir", empty])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(empty)/hagent is missing"), "\(result.stderr)")
        #expect(try Hlab.traces(of: lab) == [])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func cniErrorsAreReportedAndRolledBack() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        let file = NSTemporaryDirectory() + "/\(lab).yaml"
        defer { try? FileManager.default.removeItem(atPath: file) }
        // A /30 has room for one pod: host-local refuses a second one.
        try """
            name: tiny
            nodes: [{name: n1, podCIDR: 10.250.0.0/30}]
            namespaces: [{name: x}]
            pods: [{namespace: x, name: a}]
            """.write(toFile: file, atomically: true, encoding: .utf8)
        try Hlab.succeed(["up", "--without-agent", "-f", file, "--name", lab])

        let add = try Hlab.run(["add-pod", "--lab", lab, "x/b", "--label", "app=b", "--port", "http:80"])
        #expect(add.status != 0)
        #expect(add.stderr.contains("CNI ADD of x/b failed in plugin ptp") && add.stderr.contains("no IP addresses available"), "\(add.stderr)")
        let state = try #require(try LabStateStore.load(lab: lab))
        #expect(state.pods.map(\.spec.qualifiedName) == ["x/a"])
        #expect(!NetworkNamespaces.exists(LabNaming(lab: lab).podNetns(namespace: "x", pod: "b")))
        #expect(!FileManager.default.fileExists(atPath: LabNaming(lab: lab).podCgroup(node: "n1", namespace: "x", pod: "b")))

        // Once the first pod is gone its address is free again, and add-pod works.
        try Hlab.succeed(["delete-pod", "--lab", lab, "x/a"])
        let added = try Hlab.succeed(["add-pod", "--lab", lab, "x/b", "--label", "app=b", "--port", "http:80"])
        #expect(added.stdout.contains("x/b") && added.stdout.contains("10.250.0.2"))
        let manifest = try String(contentsOfFile: LabLayout(lab: lab).podManifest(namespace: "x", pod: "b"), encoding: .utf8)
        #expect(manifest.contains("app: b") && manifest.contains("name: http"))

        try Hlab.succeed(["down", lab])
        #expect(try Hlab.traces(of: lab) == [])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func labsRunSideBySide() throws {
        try Privileged.require()
        let first = Hlab.uniqueLabName(), second = Hlab.uniqueLabName()
        defer { Hlab.down(first); Hlab.down(second) }
        let one = try Hlab.upBasic(first)
        let two = try Hlab.upBasic(second)
        // Same file, same addresses, separate namespaces.
        #expect(one.pods.map(\.ip) == two.pods.map(\.ip))
        #expect(Set(one.pods.map(\.netns)).isDisjoint(with: two.pods.map(\.netns)))

        // A running lab is not replaced by accident.
        let twice = try Hlab.run(["up", "--without-agent", "-f", Hlab.basicLab, "--name", first])
        #expect(twice.status != 0 && twice.stderr.contains("lab \(first) is already running"), "\(twice.stderr)")
        #expect(try LabStateStore.load(lab: first) == one)

        let ambiguous = try Hlab.run(["exec", "x/a", "--", "true"])
        #expect(ambiguous.status != 0 && ambiguous.stderr.contains("several labs are running"), "\(ambiguous.stderr)")
        #expect(try Hlab.run(["exec", "--lab", second, "x/a", "--", "true"]).status == 0)
        let listed = try Hlab.succeed(["list"]).stdout
        #expect(listed.contains("lab \(first):") && listed.contains("lab \(second):"))

        try Hlab.succeed(["down", first])
        #expect(try Hlab.traces(of: first) == [])
        #expect(NetworkNamespaces.exists(two.nodes[0].netns), "down of one lab touched the other")
        try Hlab.succeed(["down", second])
        #expect(try Hlab.traces(of: second) == [])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func refusesToRunWithoutRoot() throws {
        try Privileged.require()
        let result = try Shell.capture(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Hlab.path, "up", "-f", Hlab.basicLab, "--name", Hlab.uniqueLabName()])
        #expect(result.status != 0)
        #expect(result.stderr.contains("must run as root"), "\(result.stderr)")
    }
}
