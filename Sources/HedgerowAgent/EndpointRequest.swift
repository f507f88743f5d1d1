/// A registration as the CNI plugin sends it, checked before anything is created.
struct EndpointRequest: Sendable {
    var containerID: String
    var namespace: String
    var podName: String
    var interfaceName: String
    var containerInterface: String
    var netns: String
    var ips: [String]

    func validate() throws {
        let required = [
            ("container_id", containerID), ("namespace", namespace), ("pod_name", podName),
            ("interface_name", interfaceName),
        ]
        if let missing = required.first(where: { $0.1.isEmpty }) {
            throw EndpointError.invalid("\(missing.0) is required")
        }
    }
}

enum EndpointError: Error, CustomStringConvertible {
    case invalid(String)
    case unknownPod(String)
    case noInterface(String)
    case conflict(String)
    case full(String)

    var description: String {
        switch self {
        case .invalid(let m), .unknownPod(let m), .noInterface(let m), .conflict(let m), .full(let m): m
        }
    }
}
