/// A failure of the flow log, naming the file and, where it applies, the byte offset.
public struct FlowLogError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var offset: Int?
    public var reason: String

    public init(path: String, offset: Int? = nil, reason: String) {
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        offset.map { "\(path) at offset \($0): \(reason)" } ?? "\(path): \(reason)"
    }
}
