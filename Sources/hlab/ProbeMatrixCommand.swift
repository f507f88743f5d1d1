import ArgumentParser
import Foundation
import HedgerowLab

struct ProbeMatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-matrix",
        abstract: "Probe many IP:PORT/PROTO targets concurrently (run inside a pod); one line per target: ok, refused or timeout.")

    @Option(help: "Targets, comma-separated: 10.244.1.3:80/tcp,10.244.1.4:81/udp,10.244.1.5:80/sctp.")
    var targets: String

    @Option(help: "How long each probe waits (300ms, 1s).")
    var timeout: String = "300ms"

    func run() throws {
        let parsed = try targets.split(separator: ",").map { text -> ProbeTarget in
            guard let target = ProbeTarget(parsing: String(text)) else {
                throw ValidationError("--targets: \(text): expected IPV4:PORT/tcp, IPV4:PORT/udp or IPV4:PORT/sctp")
            }
            return target
        }
        guard !parsed.isEmpty else { throw ValidationError("--targets: give at least one target") }
        guard let seconds = ProbeResult.parseTimeout(timeout) else { throw ValidationError("--timeout \(timeout): expected e.g. 300ms or 1s") }
        let lines = ProbeMatrix.run(parsed, timeout: seconds).map(ProbeMatrix.line)
        print(lines.joined(separator: "\n"))
    }
}
