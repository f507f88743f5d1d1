/// The lab's SCTP exchange as pure functions: the probe's INIT, the server's INIT ACK, and how
/// a probe reads what comes back. The sockets around them only move bytes.
enum SCTPHandshake {
    /// What the server's INIT ACK carries as its State Cookie after the reply prefix: the
    /// probe shows the cookie as its "reply", so a client can tell which server answered.
    static let cookieText = "init-ack"

    /// A probe's INIT. Its own verification tag is 0: the peer's tag is not known yet
    /// (RFC 9260 section 8.5.1); `tag` is the initiate tag every answer must carry.
    static func initiation(sourcePort: UInt16, destinationPort: UInt16, tag: UInt32, initialTSN: UInt32) -> SCTPPacket {
        SCTPPacket(
            sourcePort: sourcePort, destinationPort: destinationPort, verificationTag: 0,
            chunks: [.initiation(SCTPInitiation(initiateTag: tag, initialTSN: initialTSN))])
    }

    /// The INIT ACK for an INIT to a served port: ports swapped, verification tag = the INIT's
    /// initiate tag. Nil for anything else: the server stays silent rather than ABORT, because
    /// every raw SCTP socket in the namespace sees every packet, including ports it does not serve.
    static func answer(to packet: SCTPPacket, servedPorts: Set<UInt16>, tag: UInt32, initialTSN: UInt32, replyPrefix: [UInt8])
        -> SCTPPacket?
    {
        guard packet.verificationTag == 0, servedPorts.contains(packet.destinationPort),
              case let .initiation(request)? = packet.chunks.first
        else { return nil }
        let accepted = SCTPInitiation(
            initiateTag: tag, outboundStreams: min(10, request.inboundStreams), inboundStreams: request.outboundStreams,
            initialTSN: initialTSN)
        return SCTPPacket(
            sourcePort: packet.destinationPort, destinationPort: packet.sourcePort, verificationTag: request.initiateTag,
            chunks: [.initiationAck(accepted, stateCookie: replyPrefix + Array(cookieText.utf8))])
    }

    /// What a packet that reached the probe means for the INIT it sent: connected on the
    /// matching INIT ACK, refused on a matching ABORT, nil when the packet is not an answer to
    /// it (another probe's, the INIT itself looping back, a stale reply).
    static func outcome(of packet: SCTPPacket, answering sent: SCTPPacket) -> ProbeOutcome? {
        guard case let .initiation(request)? = sent.chunks.first,
              packet.sourcePort == sent.destinationPort, packet.destinationPort == sent.sourcePort,
              packet.verificationTag == request.initiateTag
        else { return nil }
        switch packet.chunks.first {
        case let .initiationAck(_, cookie)?: return .connected(reply: String(decoding: cookie, as: UTF8.self))
        case .abort(tagReflected: false)?: return .refused
        default: return nil
        }
    }
}
