import Foundation
import Testing

@testable import HedgerowLab

@Suite("Lab file decoding")
struct LabFileDecodingTests {
    static let valid = """
        name: demo
        nodes:
          - name: node1
            podCIDR: 10.244.1.0/24
        namespaces:
          - name: x
            labels: {team: x}
          - name: y
        pods:
          - {namespace: x, name: a, node: node1, labels: {pod: a}, ports: [{name: http, containerPort: 80}]}
          - namespace: y
            name: b
            ports:
              - {containerPort: 53, protocol: UDP}
        """

    func decode(_ yaml: String, nameOverride: String? = nil) throws -> LabSpec {
        try LabFileDecoder.decode(yaml: yaml, file: "lab.yaml", nameOverride: nameOverride)
    }

    /// The error a document produces; fails the test when it decodes.
    func error(_ yaml: String) -> LabFileError? {
        do {
            _ = try decode(yaml)
            Issue.record("expected an error for:\n\(yaml)")
            return nil
        } catch let error as LabFileError {
            return error
        } catch {
            Issue.record("expected a LabFileError, got \(error)")
            return nil
        }
    }

    @Test func decodesAValidLab() throws {
        let spec = try decode(Self.valid)
        #expect(spec.name == "demo")
        #expect(spec.nodes == [NodeSpec(name: "node1", podCIDR: IPv4CIDR("10.244.1.0/24")!)])
        #expect(spec.namespaces == [NamespaceSpec(name: "x", labels: ["team": "x"]), NamespaceSpec(name: "y")])
        #expect(spec.pods[0] == PodSpec(namespace: "x", name: "a", node: "node1", labels: ["pod": "a"], ports: [ContainerPort(name: "http", containerPort: 80)]))
        // With a single node, a pod's node may be left out.
        #expect(spec.pods[1] == PodSpec(namespace: "y", name: "b", node: "node1", ports: [ContainerPort(containerPort: 53, protocol: .udp)]))
    }

    @Test func sampleLabFilesDecode() throws {
        let labs = TestLabFiles.directory
        let files = try FileManager.default.contentsOfDirectory(atPath: labs).filter { $0.hasSuffix(".yaml") }
        #expect(files.contains("basic.yaml"))
        for file in files { _ = try LabFileDecoder.load(path: "\(labs)/\(file)") }
        let basic = try LabFileDecoder.load(path: "\(labs)/basic.yaml")
        #expect(basic.nodes.count == 1)
        #expect(basic.pods.count == 3)
        #expect(Set(basic.pods.map(\.namespace)) == ["x", "y"])
    }

    @Test func nameOverrideReplacesTheFilesName() throws {
        #expect(try decode(Self.valid, nameOverride: "other").name == "other")
        let nameless = Self.valid.replacingOccurrences(of: "name: demo\n", with: "")
        #expect(try decode(nameless, nameOverride: "other").name == "other")
        #expect(error(nameless)?.path == "name")
    }

    @Test func unknownFieldsAreErrorsWithTheirPathAndLine() {
        let yaml = Self.valid.replacingOccurrences(of: "containerPort: 53,", with: "containerPort: 53, protocl: UDP,")
        let failure = error(yaml)
        #expect(failure?.path == "pods[1].ports[0].protocl")
        #expect(failure?.location == "lab.yaml:14:29")
        #expect(failure?.description.contains("unknown field") == true)

        #expect(error(Self.valid + "\nextra: 1")?.path == "extra")
        #expect(error(Self.valid.replacingOccurrences(of: "podCIDR:", with: "podCidr:"))?.path == "nodes[0].podCidr")
    }

    @Test func wrongTypesAndMissingFieldsAreErrors() {
        #expect(error(Self.valid.replacingOccurrences(of: "containerPort: 80", with: "containerPort: eighty"))?.path == "pods[0].ports[0].containerPort")
        #expect(error(Self.valid.replacingOccurrences(of: "containerPort: 80", with: "containerPort: \"80\""))?.path == "pods[0].ports[0].containerPort")
        #expect(error(Self.valid.replacingOccurrences(of: "labels: {team: x}", with: "labels: [team]"))?.path == "namespaces[0].labels")
        #expect(error(Self.valid.replacingOccurrences(of: "    podCIDR: 10.244.1.0/24\n", with: ""))?.description == "lab.yaml:3:5: nodes[0].podCIDR: required field is missing")
        #expect(error("name: demo\n")?.path == "nodes")
        #expect(error("")?.reason == "the document is empty")
        #expect(error("name: [")?.reason.hasPrefix("not valid YAML") == true)
        #expect(error("- a\n- b\n")?.reason.contains("expected a mapping") == true)
        #expect(error(Self.valid.replacingOccurrences(of: "protocol: UDP", with: "protocol: udp"))?.path == "pods[1].ports[0].protocol")
    }

    @Test func duplicateKeysAreErrors() {
        let failure = error(Self.valid.replacingOccurrences(of: "name: demo", with: "name: demo\nname: again"))
        // libyaml (through Yams) refuses them before we see the mapping.
        #expect(failure?.reason.contains("duplicated key(s): 'name'") == true)
    }

    @Test func namesAreValidated() {
        #expect(error(Self.valid.replacingOccurrences(of: "name: demo", with: "name: Demo"))?.path == "name")
        #expect(error(Self.valid.replacingOccurrences(of: "name: demo", with: "name: a-very-long-lab-name-indeed"))?.reason.contains("longer than 20") == true)
        #expect(error(Self.valid.replacingOccurrences(of: "name: node1", with: "name: node_1"))?.path == "nodes[0].name")
        #expect(error(Self.valid.replacingOccurrences(of: "- name: y", with: "- name: -y"))?.path == "namespaces[1].name")
        #expect(error(Self.valid.replacingOccurrences(of: "name: a,", with: "name: A,"))?.path == "pods[0].name")
        #expect(error(Self.valid.replacingOccurrences(of: "{pod: a}", with: "{\"bad key!\": a}"))?.path == "pods[0].labels.bad key!")
        #expect(error(Self.valid.replacingOccurrences(of: "{pod: a}", with: "{pod: \"-a\"}"))?.path == "pods[0].labels.pod")
        #expect(error(Self.valid.replacingOccurrences(of: "name: http", with: "name: http--x"))?.path == "pods[0].ports[0].name")
    }

    @Test func referencesMustResolve() {
        let missingNode = error(Self.valid.replacingOccurrences(of: "node: node1", with: "node: node9"))
        #expect(missingNode?.path == "pods[0].node")
        #expect(missingNode?.reason.contains("node 'node9' is not declared") == true)
        #expect(missingNode?.location == "lab.yaml:10:35")
        #expect(error(Self.valid.replacingOccurrences(of: "namespace: y", with: "namespace: z"))?.reason.contains("namespace 'z' is not declared") == true)
    }

    @Test func duplicatesAreErrors() {
        #expect(error(Self.valid.replacingOccurrences(of: "- name: y", with: "- name: x"))?.path == "namespaces[1].name")
        let twice = Self.valid + "\n  - {namespace: x, name: a}"
        #expect(error(twice)?.reason.contains("declared twice") == true)
        #expect(error(Self.valid.replacingOccurrences(of: "{containerPort: 53, protocol: UDP}", with: "{containerPort: 53}\n      - {containerPort: 53}"))?.path == "pods[1].ports[1].containerPort")
        // The same number over another protocol is a different port.
        #expect(throws: Never.self) { try decode(Self.valid.replacingOccurrences(of: "{containerPort: 53, protocol: UDP}", with: "{containerPort: 53}\n      - {containerPort: 53, protocol: UDP}")) }
    }

    @Test func cidrsMustBeValidAndDisjoint() {
        #expect(error(Self.valid.replacingOccurrences(of: "10.244.1.0/24", with: "10.244.1.5/24"))?.path == "nodes[0].podCIDR")
        #expect(error(Self.valid.replacingOccurrences(of: "10.244.1.0/24", with: "10.244.1/24"))?.path == "nodes[0].podCIDR")
        #expect(error(Self.valid.replacingOccurrences(of: "10.244.1.0/24", with: "10.244.1.0/31"))?.reason.contains("too small") == true)
        let twoNodes = Self.valid.replacingOccurrences(
            of: "    podCIDR: 10.244.1.0/24\n", with: "    podCIDR: 10.244.1.0/24\n  - name: node2\n    podCIDR: 10.244.0.0/16\n")
            .replacingOccurrences(of: "  - namespace: y\n    name: b\n", with: "  - namespace: y\n    name: b\n    node: node2\n")
        let overlap = error(twoNodes)
        #expect(overlap?.path == "nodes[1].podCIDR")
        #expect(overlap?.reason.contains("overlaps nodes[0].podCIDR") == true)
        #expect(throws: Never.self) { try decode(twoNodes.replacingOccurrences(of: "10.244.0.0/16", with: "10.245.0.0/16")) }
        // With several nodes the pod's node must be given.
        #expect(error(twoNodes.replacingOccurrences(of: "10.244.0.0/16", with: "10.245.0.0/16").replacingOccurrences(of: "    node: node2\n", with: ""))?.path == "pods[1].node")
    }

    @Test func tooManyPodsForTheRangeIsAnError() {
        let yaml = """
            name: tiny
            nodes: [{name: n, podCIDR: 10.9.0.0/30}]
            namespaces: [{name: x}]
            pods: [{namespace: x, name: a}, {namespace: x, name: b}]
            """
        #expect(error(yaml)?.reason.contains("holds 1 pods, 2 are placed") == true)
    }

    @Test func namespaceNameCollisionsAreErrors() {
        let yaml = """
            name: clash
            nodes: [{name: n, podCIDR: 10.9.0.0/24}]
            namespaces: [{name: x}, {name: x-a}]
            pods: [{namespace: x-a, name: b}, {namespace: x, name: a-b}]
            """
        #expect(error(yaml)?.reason.contains("would share the network namespace name hl-clash-x-a-b") == true)
    }

    @Test func cidrParsing() {
        #expect(IPv4CIDR("10.0.0.0/8")?.description == "10.0.0.0/8")
        #expect(IPv4CIDR("0.0.0.0/0")?.contains(0x0a00_0001) == true)
        #expect(IPv4CIDR("10.0.0.0/33") == nil)
        #expect(IPv4CIDR("10.0.0.01/32") == nil)
        #expect(IPv4CIDR("10.0.0.256/32") == nil)
        #expect(IPv4CIDR("10.0.0.0") == nil)
        #expect(IPv4CIDR("10.1.0.0/16")!.overlaps(IPv4CIDR("10.1.2.0/24")!))
        #expect(!IPv4CIDR("10.1.0.0/16")!.overlaps(IPv4CIDR("10.2.0.0/16")!))
    }
}

enum TestLabFiles {
    static var directory: String { repositoryRoot + "/labs" }
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
