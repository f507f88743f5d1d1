/// An immutable value behind one reference. A flow ring holds tens of thousands of flows whose
/// endpoints, services and policy lists repeat: kept this way, each costs a flow 8 bytes instead
/// of its size, and copies made from one value (the enricher's per-pod cache) share a single
/// allocation. Writing replaces the box; flows are written once and read many times.
struct SharedValue<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value) }

    var value: Value {
        get { box.value }
        set { box = Box(newValue) }
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.box.value == rhs.box.value }

    func hash(into hasher: inout Hasher) { box.value.hash(into: &hasher) }
}
