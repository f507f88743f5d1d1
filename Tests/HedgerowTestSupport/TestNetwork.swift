import Foundation

/// A network namespace made for one test, removed by `destroy()` (call it in a `defer`).
public struct TestNamespace: Sendable {
    public let name: String

    public init(prefix: String = "hrt") throws {
        name = UniqueName.make(prefix)
        try Shell.run("ip", "netns", "add", name)
        try run("ip", "link", "set", "lo", "up")
    }

    /// Runs a command inside the namespace.
    @discardableResult
    public func run(_ command: String...) throws -> String { try Shell.run(["ip", "netns", "exec", name] + command) }

    public func capture(_ command: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.capture(["ip", "netns", "exec", name] + command)
    }

    public func destroy() { _ = try? Shell.capture(["ip", "netns", "delete", name]) }
}

/// A veth pair with the host end in the current namespace and the peer moved into `namespace`,
/// addressed as a /30 so that packets can flow both ways. Deleting the host end removes both.
public struct TestVethPair: Sendable {
    public let hostName: String
    public let peerName: String
    public let hostAddress: String
    public let peerAddress: String

    public init(into namespace: TestNamespace, subnet third: UInt8 = 77) throws {
        hostName = UniqueName.make("hrh")
        peerName = UniqueName.make("hrp")
        // A per-pair /30 inside 10.<third>.x.y, unique enough for tests running side by side.
        let n = UInt32(abs(hostName.hashValue) % 16000) * 4
        hostAddress = "10.\(third).\(n / 256 % 256).\(n % 256 + 1)"
        peerAddress = "10.\(third).\(n / 256 % 256).\(n % 256 + 2)"
        try Shell.run("ip", "link", "add", hostName, "type", "veth", "peer", "name", peerName)
        try Shell.run("ip", "link", "set", peerName, "netns", namespace.name)
        try Shell.run("ip", "addr", "add", "\(hostAddress)/30", "dev", hostName)
        try Shell.run("ip", "link", "set", hostName, "up")
        try namespace.run("ip", "addr", "add", "\(peerAddress)/30", "dev", peerName)
        try namespace.run("ip", "link", "set", peerName, "up")
    }

    public var hostIndex: Int32 { Int32(if_nametoindex(hostName)) }

    public func destroy() { _ = try? Shell.capture(["ip", "link", "delete", hostName]) }
}
