/// A startup problem of the agent itself (a missing device, a bad option combination), said in
/// one sentence that names what is wrong.
struct AgentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
