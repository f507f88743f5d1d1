/// What the agent remembers about one endpoint across restarts: enough to find its interface
/// again and to keep its id (counters and, later, policy are keyed by it).
struct EndpointRecord: Codable, Sendable, Equatable {
    var id: UInt32
    var containerID: String
    var namespace: String
    var podName: String
    var interfaceName: String
    var interfaceIndex: Int32
    var containerInterface: String
    var netns: String
    var ips: [String]

    var podKey: String { "\(namespace)/\(podName)" }
}
