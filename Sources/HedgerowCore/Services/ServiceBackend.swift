/// Whether a backend takes new connections normally or only as a last resort.
public enum BackendState: String, Hashable, Sendable, Comparable {
    /// Ready.
    case active
    /// Terminating but still serving: used only because no backend is ready.
    case terminating

    public static func < (lhs: BackendState, rhs: BackendState) -> Bool { lhs == .active && rhs == .terminating }
}

/// A backend's address: what conntrack and the backend map hold.
public struct BackendAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let ip: IPAddress
    public let port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// IPv4 before IPv6, then by address and port.
    public static func < (lhs: BackendAddress, rhs: BackendAddress) -> Bool {
        (lhs.ip, lhs.port) < (rhs.ip, rhs.port)
    }

    /// `10.42.0.15:8080`, `[fd00::f]:8080`. Also the name Maglev hashes, so it must never change.
    public var description: String { ip.family == .ipv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
}

/// One backend of a frontend.
public struct ServiceBackend: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: BackendAddress
    /// The node the backend runs on, when known (from the EndpointSlice, else the pod).
    public var nodeName: String?
    public var state: BackendState
    /// The pod behind the backend, when known.
    public var pod: NamespacedName?

    public init(address: BackendAddress, nodeName: String? = nil, state: BackendState = .active, pod: NamespacedName? = nil) {
        self.address = address
        self.nodeName = nodeName
        self.state = state
        self.pod = pod
    }

    public static func < (lhs: ServiceBackend, rhs: ServiceBackend) -> Bool { lhs.address < rhs.address }

    public var description: String { "\(address) (\(state.rawValue)\(nodeName.map { ", node " + $0 } ?? ""))" }
}
