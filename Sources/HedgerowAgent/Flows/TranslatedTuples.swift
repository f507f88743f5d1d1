import HedgerowCore
import HedgerowDatapath

/// Remembers which service recent translated connections went to, by their 5-tuple after
/// translation, so that events seen where the translation is invisible still name the service.
/// Socket-level translation happens in the client's socket: the client's veth sees it (the event
/// carries the service), but the backend's veth gets the packet in another namespace with the
/// socket gone, so a drop there (policy at the backend) would otherwise not say which service
/// the client asked for. Bounded: the oldest tuples go first.
struct TranslatedTuples: Sendable {
    struct Tuple: Hashable, Sendable {
        var source: IPAddress
        var destination: IPAddress
        var sourcePort: UInt16
        var destinationPort: UInt16
        var ipProtocol: UInt8

        init?(_ event: FlowEvent) {
            guard let sourcePort = event.l4?.sourcePort, let destinationPort = event.l4?.destinationPort else { return nil }
            self.init(source: event.ip.source, destination: event.ip.destination, sourcePort: sourcePort,
                      destinationPort: destinationPort, ipProtocol: event.ipProtocol)
        }

        init(source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16, ipProtocol: UInt8) {
            self.source = source
            self.destination = destination
            self.sourcePort = sourcePort
            self.destinationPort = destinationPort
            self.ipProtocol = ipProtocol
        }

        var reversed: Tuple {
            Tuple(source: destination, destination: source, sourcePort: destinationPort, destinationPort: sourcePort,
                  ipProtocol: ipProtocol)
        }
    }

    let capacity: Int
    private var services: [Tuple: UInt16] = [:]
    private var order: [Tuple] = []  // insertion order, for eviction
    private var head = 0

    init(capacity: Int = 8192) { self.capacity = capacity }

    var count: Int { services.count }

    /// Records a translated event; returns the service of an untranslated one (forward or reply).
    mutating func service(for event: FlowEvent) -> UInt16? {
        guard let tuple = Tuple(event) else { return nil }
        if let translation = event.translation {
            remember(tuple: event.isReply ? tuple.reversed : tuple, service: translation.reverseNATID)
            return translation.reverseNATID
        }
        return services[tuple] ?? services[tuple.reversed]
    }

    private mutating func remember(tuple: Tuple, service: UInt16) {
        if services.updateValue(service, forKey: tuple) != nil { return }
        if order.count < capacity {
            order.append(tuple)
        } else {
            services[order[head]] = nil
            order[head] = tuple
            head = (head + 1) % capacity
        }
    }
}
