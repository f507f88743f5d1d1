import Glibc

/// `hlab serve --sctp`: answers every SCTP INIT addressed to a served port with an INIT ACK
/// (SCTPHandshake.answer), which is what a client needs to see the port as open. One raw socket
/// serves all ports: raw sockets have no ports, they see every SCTP packet of the namespace.
final class SCTPResponder: Sendable {
    private let socket: RawSCTPSocketBox
    let ports: Set<UInt16>
    let replyPrefix: [UInt8]

    init(ports: [UInt16], replyPrefix: [UInt8]) throws {
        socket = RawSCTPSocketBox(try RawSCTPSocket())
        self.ports = Set(ports)
        self.replyPrefix = replyPrefix
    }

    func serve() -> Never {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            guard case let .success(datagram?) = socket.raw.receive(into: &buffer),
                  datagram.proto == UInt8(SCTPPacket.ipProtocol),
                  let packet = try? SCTPPacket(decoding: datagram.payload),
                  let reply = SCTPHandshake.answer(
                      to: packet, servedPorts: ports, tag: UInt32.random(in: 1...UInt32.max),
                      initialTSN: UInt32.random(in: 0...UInt32.max), replyPrefix: replyPrefix)
            else { continue }
            // A failed send is a lost reply: the probe retransmits its INIT.
            _ = socket.raw.send(reply, to: datagram.source)
        }
    }
}

/// Holds the socket for the life of the process (the server runs until killed).
private final class RawSCTPSocketBox: Sendable {
    let raw: RawSCTPSocket
    init(_ raw: consuming RawSCTPSocket) { self.raw = raw }
}
