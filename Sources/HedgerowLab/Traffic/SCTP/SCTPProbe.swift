import Foundation
import Glibc

/// Sends an SCTP INIT from a random source port with a random initiate tag and waits for the
/// INIT ACK that carries them back: like a TCP connect, the probe passes only when both the
/// request and the reply got through. The INIT goes out again at each third of the timeout
/// (one lost packet must not read as "blocked"). A matching ABORT, or an ICMP protocol/port
/// unreachable, reads as refused.
enum SCTPProbe {
    static func run(_ target: SocketAddress, timeout: Double) -> ProbeOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        do {
            let socket = try RawSCTPSocket()
            try socket.connect(to: target.address)
            return exchange(on: socket, with: target, timeout: timeout, deadline: deadline)
        } catch {
            return .failed("\(error)")
        }
    }

    private static func exchange(on socket: borrowing RawSCTPSocket, with target: SocketAddress, timeout: Double, deadline: Date)
        -> ProbeOutcome
    {
        let request = SCTPHandshake.initiation(
            sourcePort: UInt16.random(in: 32768...60999), destinationPort: target.port,
            tag: UInt32.random(in: 1...UInt32.max), initialTSN: UInt32.random(in: 0...UInt32.max))
        var buffer = [UInt8](repeating: 0, count: 65536)
        for attempt in 0..<3 {
            let sendError = socket.send(request)
            if sendError != 0 { return outcome(forErrno: sendError, "send") }
            let attemptDeadline = attempt == 2 ? deadline : Date().addingTimeInterval(timeout / 3)
            while true {
                let events = Sockets.wait(socket.fd, for: Int16(POLLIN), milliseconds: TCPProbe.remaining(attemptDeadline))
                if events == 0 { break }
                if events < 0 { return .failed(SystemError("poll").description) }
                switch socket.receive(into: &buffer) {
                case let .failure(error):
                    if error.errno == EINTR || error.errno == EAGAIN { continue }
                    return outcome(forErrno: error.errno, "recv")
                case let .success(datagram):
                    guard let datagram, datagram.source == target.address, datagram.proto == UInt8(SCTPPacket.ipProtocol),
                          let packet = try? SCTPPacket(decoding: datagram.payload),
                          let outcome = SCTPHandshake.outcome(of: packet, answering: request)
                    else { continue }
                    return outcome
                }
            }
        }
        return .timeout
    }

    /// ICMP errors about the INIT arrive as errnos on the connected raw socket.
    static func outcome(forErrno code: Int32, _ operation: String) -> ProbeOutcome {
        switch code {
        case ENOPROTOOPT, ECONNREFUSED: .refused  // protocol or port unreachable: the host answered, nothing serves
        default: .failed(SystemError(operation, errno: code).description)
        }
    }
}
