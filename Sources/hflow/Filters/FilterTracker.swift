import HedgerowAPI
import HedgerowCore

/// Turns filter flags into Hubble FlowFilters the way `hubble observe` does: a flag that names
/// both ends (`--pod x`) becomes two filters, one on the source ("left") and one on the
/// destination ("right"), which the server ORs; `--from-*`/`--to-*` flags go into both.
/// Namespaces (`-n`, `-A`) are applied to the pod and service filters at the end. Values are
/// validated here so that a typo is a usage error, not a server error.
struct FilterTracker {
    private var left: Flow_FlowFilter?
    private var right: Flow_FlowFilter?
    private var namespaces: [String] = []
    private var sourceNamespaces: [String] = []
    private var destinationNamespaces: [String] = []
    private var changed: [String] = []

    /// Flags that cannot be combined in one list (Hubble's groups).
    static let conflicts: [[String]] = [
        ["from-ip", "ip", "from-namespace", "namespace", "from-all-namespaces", "all-namespaces"],
        ["from-ip", "ip", "from-pod", "pod"],
        ["to-ip", "ip", "to-namespace", "namespace", "to-all-namespaces", "all-namespaces"],
        ["to-ip", "ip", "to-pod", "pod"],
        ["to-pod", "namespace", "all-namespaces"],
        ["from-pod", "namespace", "all-namespaces"],
        ["to-service", "namespace", "all-namespaces"],
        ["from-service", "namespace", "all-namespaces"],
        ["label", "from-label"], ["label", "to-label"],
        ["service", "from-service"], ["service", "to-service"],
        ["port", "to-port"], ["port", "from-port"],
        ["identity", "to-identity"], ["identity", "from-identity"],
    ]

    mutating func add(_ name: String, _ value: String) throws(UsageError) {
        if !changed.contains(name) { changed.append(name) }
        for group in Self.conflicts where group.contains(name) {
            if let other = group.first(where: { $0 != name && changed.contains($0) }) {
                throw UsageError("filters --\(name) and --\(other) cannot be combined")
            }
        }
        switch name {
        case "pod":
            try check { () throws(FlowFilterError) in _ = try NamespacedPrefix(parsing: value, field: "pod") }
            updateLeft { $0.sourcePod.append(value) }
            updateRight { $0.destinationPod.append(value) }
        case "from-pod":
            try check { () throws(FlowFilterError) in _ = try NamespacedPrefix(parsing: value, field: "pod") }
            update { $0.sourcePod.append(value) }
        case "to-pod":
            try check { () throws(FlowFilterError) in _ = try NamespacedPrefix(parsing: value, field: "pod") }
            update { $0.destinationPod.append(value) }
        case "namespace": namespaces.append(value)
        case "from-namespace": sourceNamespaces.append(value)
        case "to-namespace": destinationNamespaces.append(value)
        case "all-namespaces": namespaces.append("")
        case "from-all-namespaces": sourceNamespaces.append("")
        case "to-all-namespaces": destinationNamespaces.append("")
        case "label", "from-label", "to-label":
            try check { () throws(FlowFilterError) in _ = try FlowLabelSelector(parsing: value) }
            both(name, source: { $0.sourceLabel.append(value) }, destination: { $0.destinationLabel.append(value) })
        case "ip", "from-ip", "to-ip":
            try check { () throws(FlowFilterError) in _ = try IPFilterValue(parsing: value, field: "ip") }
            both(name, source: { $0.sourceIp.append(value) }, destination: { $0.destinationIp.append(value) })
        case "port", "from-port", "to-port":
            guard UInt16(value) != nil else { throw UsageError("invalid --\(name) value \"\(value)\": not a port number (0-65535)") }
            both(name, source: { $0.sourcePort.append(value) }, destination: { $0.destinationPort.append(value) })
        case "identity", "from-identity", "to-identity":
            var identity = SecurityIdentity.any
            try check { () throws(FlowFilterError) in identity = try SecurityIdentity(filterValue: value) }
            both(name, source: { $0.sourceIdentity.append(identity.rawValue) }, destination: { $0.destinationIdentity.append(identity.rawValue) })
        case "service", "from-service", "to-service":
            try check { () throws(FlowFilterError) in _ = try NamespacedPrefix(parsing: value, field: "service") }
            both(name, source: { $0.sourceService.append(value) }, destination: { $0.destinationService.append(value) })
        case "protocol":
            try check { () throws(FlowFilterError) in _ = try FlowProtocol(parsing: value) }
            update { $0.`protocol`.append(value.lowercased()) }
        case "verdict":
            guard let verdict = Verdict(name: value), verdict != .unknown, let message = Flow_Verdict(rawValue: Int(verdict.rawValue)) else {
                let names = Verdict.allCases.dropFirst().map(\.name).joined(separator: ", ")
                throw UsageError("invalid --verdict value \"\(value)\": expected one of \(names)")
            }
            update { $0.verdict.append(message) }
        case "tcp-flags":
            var flags: TCPFlags = []
            try check { () throws(FlowFilterError) in flags = try TCPFlags(parsing: value) }
            update { $0.tcpFlags.append(Flow_TCPFlags(flags)) }
        case "type":
            var match = EventTypeMatch(type: 0)
            try check { () throws(FlowFilterError) in match = try EventTypeMatch(parsing: value) }
            update {
                $0.eventType.append(.with {
                    $0.type = match.type
                    $0.matchSubType = match.subType != nil
                    $0.subType = match.subType ?? 0
                })
            }
        case "traffic-direction":
            guard let direction = FlowTrafficDirection(name: value),
                let message = Flow_TrafficDirection(rawValue: Int(direction.rawValue))
            else { throw UsageError("invalid --traffic-direction value \"\(value)\": expected ingress or egress") }
            update { $0.trafficDirection.append(message) }
        case "node-name":
            try check { () throws(FlowFilterError) in _ = try NodeNamePattern(parsing: value) }
            update { $0.nodeName.append(value) }
        case "uuid":
            update { $0.uuid.append(value) }
        default:
            throw UsageError("unknown filter --\(name)")
        }

        func check(_ body: () throws(FlowFilterError) -> Void) throws(UsageError) {
            do { try body() } catch { throw UsageError("invalid --\(name) value \"\(value)\": \(error.reason)") }
        }
    }

    /// The filters to send: none, one, or a source/destination pair.
    func filters() -> [Flow_FlowFilter] {
        if left == nil && right == nil && namespaces.isEmpty && sourceNamespaces.isEmpty && destinationNamespaces.isEmpty {
            return []
        }
        var left = self.left ?? Flow_FlowFilter()
        var right = self.right ?? Flow_FlowFilter()
        if !destinationNamespaces.isEmpty {
            Self.applyDestination(destinationNamespaces, to: &left)
            Self.applyDestination(destinationNamespaces, to: &right)
        }
        if !sourceNamespaces.isEmpty {
            Self.applySource(sourceNamespaces, to: &left)
            Self.applySource(sourceNamespaces, to: &right)
        }
        if !namespaces.isEmpty {
            Self.applySource(namespaces, to: &left)
            Self.applyDestination(namespaces, to: &right)
        }
        return left == right ? [left] : [left, right]
    }

    private mutating func both(
        _ name: String, source: (inout Flow_FlowFilter) -> Void, destination: (inout Flow_FlowFilter) -> Void
    ) {
        if name.hasPrefix("from-") {
            update(source)
        } else if name.hasPrefix("to-") {
            update(destination)
        } else {
            updateLeft(source)
            updateRight(destination)
        }
    }

    private mutating func update(_ body: (inout Flow_FlowFilter) -> Void) {
        updateLeft(body)
        updateRight(body)
    }

    private mutating func updateLeft(_ body: (inout Flow_FlowFilter) -> Void) {
        var filter = left ?? Flow_FlowFilter()
        body(&filter)
        left = filter
    }

    private mutating func updateRight(_ body: (inout Flow_FlowFilter) -> Void) {
        var filter = right ?? Flow_FlowFilter()
        body(&filter)
        right = filter
    }

    private static func applySource(_ namespaces: [String], to filter: inout Flow_FlowFilter) {
        if filter.sourcePod.isEmpty && filter.sourceService.isEmpty { filter.sourcePod = [""] }
        filter.sourcePod = qualify(filter.sourcePod, with: namespaces)
        filter.sourceService = qualify(filter.sourceService, with: namespaces)
    }

    private static func applyDestination(_ namespaces: [String], to filter: inout Flow_FlowFilter) {
        if filter.destinationPod.isEmpty && filter.destinationService.isEmpty { filter.destinationPod = [""] }
        filter.destinationPod = qualify(filter.destinationPod, with: namespaces)
        filter.destinationService = qualify(filter.destinationService, with: namespaces)
    }

    /// Names without a namespace get each namespace ("" stands for any namespace).
    private static func qualify(_ names: [String], with namespaces: [String]) -> [String] {
        names.flatMap { name in name.contains("/") ? [name] : namespaces.map { "\($0)/\(name)" } }
    }
}

/// Whitelist and blacklist filters from the command line.
struct FilterLists: Equatable {
    var whitelist: [Flow_FlowFilter]
    var blacklist: [Flow_FlowFilter]

    init(whitelist: [Flow_FlowFilter] = [], blacklist: [Flow_FlowFilter] = []) {
        self.whitelist = whitelist
        self.blacklist = blacklist
    }

    init(arguments: [String]) throws(UsageError) {
        var whitelist = FilterTracker()
        var blacklist = FilterTracker()
        for argument in try FilterArgumentScanner.scan(arguments) {
            if argument.negated {
                try blacklist.add(argument.name, argument.value)
            } else {
                try whitelist.add(argument.name, argument.value)
            }
        }
        self.init(whitelist: whitelist.filters(), blacklist: blacklist.filters())
    }
}
