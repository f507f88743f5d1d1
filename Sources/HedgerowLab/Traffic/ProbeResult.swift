import Foundation

/// What one probe found, printed as a single line that tests and people can read:
///
///     connected tcp 10.244.1.3:80 reply="b probe 9f1c"
///     refused udp 10.244.1.3:81
///     timeout tcp 10.244.1.3:80 after 1s
///     error tcp 10.244.1.3:80: No route to host (errno 113)
public enum ProbeOutcome: Equatable, Sendable {
    case connected(reply: String)
    case refused
    case timeout
    case failed(String)

    public var succeeded: Bool { if case .connected = self { true } else { false } }
}

public struct ProbeResult: Equatable, Sendable, CustomStringConvertible {
    public let proto: TrafficProtocol
    public let target: SocketAddress
    public let timeout: Double
    public let outcome: ProbeOutcome

    public var description: String {
        switch outcome {
        case let .connected(reply):
            let shown = reply.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\"", with: "\\\"")
            return "connected \(proto.rawValue) \(target) reply=\"\(shown)\""
        case .refused: return "refused \(proto.rawValue) \(target)"
        case .timeout: return "timeout \(proto.rawValue) \(target) after \(Self.format(timeout))"
        case let .failed(reason): return "error \(proto.rawValue) \(target): \(reason)"
        }
    }

    /// "1s", "250ms", "1.5s" or a bare number of seconds.
    public static func parseTimeout(_ text: String) -> Double? {
        let value: Double?
        if text.hasSuffix("ms") {
            value = Double(text.dropLast(2)).map { $0 / 1000 }
        } else if text.hasSuffix("s") {
            value = Double(text.dropLast())
        } else {
            value = Double(text)
        }
        guard let value, value > 0, value <= 3600 else { return nil }
        return value
    }

    static func format(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded()))ms" : (seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s")
    }
}

/// `hlab probe`: one connection attempt to HOST:PORT.
public enum Prober {
    public static func probe(_ target: SocketAddress, protocol proto: TrafficProtocol, timeout: Double) -> ProbeResult {
        // A per-probe token, so a late reply to an earlier probe is never taken for this one.
        let message = "probe \(String(UInt32.random(in: 0...UInt32.max), radix: 16))\n"
        let outcome: ProbeOutcome
        switch proto {
        case .tcp: outcome = TCPProbe.run(target, message: message, timeout: timeout)
        case .udp: outcome = UDPProbe.run(target, message: message, timeout: timeout)
        case .sctp: outcome = SCTPProbe.run(target, timeout: timeout)  // its token is the INIT's random tag
        }
        return ProbeResult(proto: proto, target: target, timeout: timeout, outcome: outcome)
    }
}
