/// The transport protocols `hlab serve` and `hlab probe` speak. SCTP goes over raw IP sockets
/// (protocol 132): the kernel here has no SCTP sockets (see SCTP/SCTPHandshake.swift).
public enum TrafficProtocol: String, CaseIterable, Sendable {
    case tcp
    case udp
    case sctp
}
