import ArgumentParser
import Foundation
import HedgerowLab

struct AddPodCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-pod", abstract: "Add a pod to a running lab (flags, or -f with one pod entry of a lab file).",
        usage: "hlab add-pod [--lab NAME] NAMESPACE/POD [--node NODE] [--label KEY=VALUE]... [--port [NAME:]PORT[/PROTOCOL]]...\n       hlab add-pod [--lab NAME] -f POD.yaml")

    @Option(help: "The lab (default: the only running lab).")
    var lab: String?

    @Argument(help: "The pod, as NAMESPACE/POD (omit with -f).")
    var pod: String?

    @Option(name: [.short, .customLong("file")], help: "YAML with the pod's fields, as in a lab file's pods list.")
    var file: String?

    @Option(help: "The node (default: the lab's only node).")
    var node: String?

    @Option(name: .customLong("label"), help: "A label KEY=VALUE (repeatable).")
    var labels: [String] = []

    @Option(name: .customLong("port"), help: "A container port [NAME:]PORT[/TCP|UDP|SCTP] (repeatable).")
    var ports: [String] = []

    func run() throws {
        try Privileges.requireRoot("add-pod")
        var state = try LabRegistry.resolve(lab)
        let onlyNode = state.nodes.count == 1 ? state.nodes[0].name : nil
        let spec: PodSpec
        let locator: LabFileLocator
        if let file {
            guard pod == nil, node == nil, labels.isEmpty, ports.isEmpty else {
                throw ValidationError("-f takes the whole pod from the file: give no other pod fields")
            }
            let text = try String(contentsOfFile: file, encoding: .utf8)
            spec = try LabFileDecoder.decodePod(yaml: text, file: file, defaultNode: onlyNode)
            locator = LabFileLocator(source: file)
        } else {
            guard let pod else { throw ValidationError("give NAMESPACE/POD or -f FILE") }
            let (namespace, name) = try LabRegistry.parsePodReference(pod)
            guard let chosen = node ?? onlyNode else { throw ValidationError("the lab has several nodes: give --node") }
            spec = PodSpec(namespace: namespace, name: name, node: chosen, labels: try PodFlags.labels(labels), ports: try PodFlags.ports(ports))
            locator = LabFileLocator(source: "add-pod")
        }
        try LabValidator.validate(pod: spec, path: "pod", others: state.pods.map(\.spec), in: state.spec, locator: locator)
        try PodLifecycle(enter: try EnterCommand.current()).add(spec, to: &state)
        print(LabTables.pods(state))
    }
}

struct DeletePodCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-pod", abstract: "Remove a pod: CNI DEL through the chain, kill its processes, remove its namespace.")

    @Option(help: "The lab (default: the only running lab).")
    var lab: String?

    @Argument(help: "The pod, as NAMESPACE/POD.")
    var pod: String

    func run() throws {
        try Privileges.requireRoot("delete-pod")
        var state = try LabRegistry.resolve(lab)
        let (namespace, name) = try LabRegistry.parsePodReference(pod)
        try PodLifecycle(enter: try EnterCommand.current()).delete(namespace: namespace, name: name, from: &state)
        note("pod \(pod) deleted from lab \(state.name)")
    }
}

/// Parsing of add-pod's --label and --port values.
enum PodFlags {
    static func labels(_ values: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for value in values {
            guard let equals = value.firstIndex(of: "=") else { throw ValidationError("--label \(value): expected KEY=VALUE") }
            labels[String(value[..<equals])] = String(value[value.index(after: equals)...])
        }
        return labels
    }

    static func ports(_ values: [String]) throws -> [ContainerPort] {
        try values.map { value in
            var rest = Substring(value)
            var name: String?
            var proto = PortProtocol.tcp
            if let colon = rest.firstIndex(of: ":") {
                name = String(rest[..<colon])
                rest = rest[rest.index(after: colon)...]
            }
            if let slash = rest.firstIndex(of: "/") {
                let text = rest[rest.index(after: slash)...].uppercased()
                guard let parsed = PortProtocol(rawValue: text) else { throw ValidationError("--port \(value): protocol must be TCP, UDP or SCTP") }
                proto = parsed
                rest = rest[..<slash]
            }
            guard let number = Int(rest) else { throw ValidationError("--port \(value): expected [NAME:]PORT[/PROTOCOL]") }
            return ContainerPort(name: name, containerPort: number, protocol: proto)
        }
    }
}
