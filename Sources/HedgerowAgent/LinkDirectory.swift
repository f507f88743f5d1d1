import HedgerowNetlink

/// The node's network interfaces, as far as the endpoint manager needs them: the kernel's
/// current answer each time (interfaces come and go underneath us), never a cache.
struct LinkDirectory: Sendable {
    private let socket: NetlinkSocket

    init() throws {
        socket = try NetlinkSocket()
    }

    func index(named name: String) -> Int32? {
        (try? socket.link(named: name))??.index
    }
}
