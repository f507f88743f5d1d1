/// The transport protocols `hlab serve` and `hlab probe` speak. (SCTP is to come, probed with
/// raw IP packets since the kernel here has no SCTP sockets.)
public enum TrafficProtocol: String, CaseIterable, Sendable {
    case tcp
    case udp
}
