import Foundation

/// The 9 pods of labs/netpol.yaml and a reachability matrix over them, in the compact form the
/// upstream e2e Reachability helper uses: a default for every cell, then cells set otherwise.
struct PodName: Hashable, Comparable, CustomStringConvertible {
    let namespace: String
    let name: String
    var description: String { "\(namespace)/\(name)" }
    static func < (a: PodName, b: PodName) -> Bool { a.description < b.description }

    static let all: [PodName] = ["x", "y", "z"].flatMap { ns in ["a", "b", "c"].map { PodName(namespace: ns, name: $0) } }
}

/// "x/a", "x/*", "*/a" or "*": which pods a rule of an expectation covers.
struct PodPattern {
    let namespace: String?
    let name: String?

    init(parsing text: String) throws {
        if text == "*" { namespace = nil; name = nil; return }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ConformanceError("pod pattern \"\(text)\": expected NS/POD, NS/*, */POD or *")
        }
        namespace = parts[0] == "*" ? nil : parts[0]
        name = parts[1] == "*" ? nil : parts[1]
    }

    func matches(_ pod: PodName) -> Bool {
        (namespace == nil || namespace == pod.namespace) && (name == nil || name == pod.name)
    }
}

/// Reachable or not, for every (from, to) pair of pods.
struct Reachability: Equatable {
    private(set) var cells: [PodName: [PodName: Bool]]

    init(defaultAllowed: Bool) {
        cells = Dictionary(uniqueKeysWithValues: PodName.all.map { from in
            (from, Dictionary(uniqueKeysWithValues: PodName.all.map { ($0, defaultAllowed) }))
        })
    }

    subscript(from: PodName, to: PodName) -> Bool {
        get { cells[from]![to]! }
        set { cells[from]![to] = newValue }
    }

    /// Sets every cell "FROM > TO" covers (each side a PodPattern).
    mutating func set(_ rule: String, allowed: Bool) throws {
        let sides = rule.components(separatedBy: ">").map { $0.trimmingCharacters(in: .whitespaces) }
        guard sides.count == 2 else { throw ConformanceError("cell rule \"\(rule)\": expected \"FROM > TO\"") }
        let from = try PodPattern(parsing: sides[0]), to = try PodPattern(parsing: sides[1])
        for source in PodName.all where from.matches(source) {
            for target in PodName.all where to.matches(target) { self[source, target] = allowed }
        }
    }

    /// Upstream calls AllowLoopback in its tests: a pod talking to its own IP never leaves the
    /// pod (the route is local), so no policy applies to it.
    mutating func allowLoopback() {
        for pod in PodName.all { self[pod, pod] = true }
    }
}

/// What a probe saw, per cell.
enum Observation: Equatable {
    case ok, timeout, refused, error(String)

    init(verdict: String) {
        switch verdict {
        case "ok": self = .ok
        case "timeout": self = .timeout
        case "refused": self = .refused
        default: self = .error(verdict)
        }
    }

    var mark: String {
        switch self {
        case .ok: "."
        case .timeout: "X"
        case .refused: "R"
        case .error: "E"
        }
    }
}

/// The three grids printed on failure: expected, observed, and where they differ ("!").
enum MatrixDiff {
    static func render(expected: Reachability, observed: [PodName: [PodName: Observation]]) -> String {
        func grid(_ title: String, _ mark: (PodName, PodName) -> String) -> String {
            var lines = [title, "from\\to " + PodName.all.map { $0.description.padding(toLength: 4, withPad: " ", startingAt: 0) }.joined()]
            for from in PodName.all {
                lines.append(from.description.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + PodName.all.map { mark(from, $0).padding(toLength: 4, withPad: " ", startingAt: 0) }.joined())
            }
            return lines.joined(separator: "\n")
        }
        let expectedGrid = grid("expected (. reachable, X blocked)") { expected[$0, $1] ? "." : "X" }
        let observedGrid = grid("observed (. ok, X timeout, R refused, E error)") { observed[$0]?[$1]?.mark ?? "?" }
        let diffGrid = grid("diff (! differs)") { agrees(expected: expected[$0, $1], observed[$0]?[$1]) ? "." : "!" }
        return [expectedGrid, observedGrid, diffGrid].joined(separator: "\n\n")
    }

    /// A cell agrees when reachable == ok, and blocked == timeout (a refusal means no server, never a pass).
    static func agrees(expected: Bool, _ observed: Observation?) -> Bool {
        expected ? observed == .ok : observed == .timeout
    }
}

struct ConformanceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
