import Foundation

/// One cell of a reachability matrix, as `hlab probe-matrix` takes it: "10.244.1.3:80/tcp".
public struct ProbeTarget: Equatable, Sendable, CustomStringConvertible {
    public let address: SocketAddress
    public let proto: TrafficProtocol

    public init(address: SocketAddress, proto: TrafficProtocol) {
        self.address = address
        self.proto = proto
    }

    public init?(parsing text: String) {
        guard let slash = text.lastIndex(of: "/"),
              let address = SocketAddress(parsing: String(text[..<slash])),
              let proto = TrafficProtocol(rawValue: text[text.index(after: slash)...].lowercased())
        else { return nil }
        self.init(address: address, proto: proto)
    }

    public var description: String { "\(address)/\(proto.rawValue)" }
}

/// Probes many targets at once from one place (one pod), so a matrix step costs one timeout
/// instead of one timeout per denied cell. Each probe gets its own thread: they spend their
/// time blocked in poll(), and a pool sized to the CPU count would serialize them.
public enum ProbeMatrix {
    /// "ok", "refused", "timeout" or "error: <reason>": the word tests compare.
    public static func verdict(_ outcome: ProbeOutcome) -> String {
        switch outcome {
        case .connected: "ok"
        case .refused: "refused"
        case .timeout: "timeout"
        case let .failed(reason): "error: \(reason)"
        }
    }

    /// Results in the order of `targets`.
    public static func run(_ targets: [ProbeTarget], timeout: Double) -> [ProbeResult] {
        let results = ResultSlots(count: targets.count)
        let done = DispatchGroup()
        for (index, target) in targets.enumerated() {
            done.enter()
            let thread = Thread {
                results.set(index, Prober.probe(target.address, protocol: target.proto, timeout: timeout))
                done.leave()
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        done.wait()
        return results.all()
    }

    /// The output line for one result: "10.244.1.3:80/tcp ok".
    public static func line(_ result: ProbeResult) -> String {
        "\(ProbeTarget(address: result.target, proto: result.proto)) \(verdict(result.outcome))"
    }
}

/// Results written by the probe threads, each into its own slot.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [ProbeResult?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: ProbeResult) { lock.withLock { slots[index] = result } }

    func all() -> [ProbeResult] { lock.withLock { slots.map { $0! } } }
}
