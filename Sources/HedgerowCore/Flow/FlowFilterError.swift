/// A filter value that cannot be understood, naming the filter field (Hubble's field name) and
/// the value, so that both the CLI and the gRPC error can say exactly what is wrong.
public struct FlowFilterError: Error, Hashable, CustomStringConvertible {
    public var field: String
    public var value: String
    public var reason: String

    public init(field: String, value: String, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String { "\(field) \"\(value)\": \(reason)" }
}
