import Prometheus
import Synchronization

/// One labelled counter family (e.g. hubble_drop_total) whose counters are cached by a small
/// hashable key made of the flow's raw numbers, so the ingest path hashes a few integers and
/// increments an atomic; label strings are built once, when a combination is first seen.
final class CounterFamily<Key: Hashable & Sendable>: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let help: String
    private let counters = Mutex<[Key: Counter]>([:])

    /// `name` is the full metric name ("hubble_drop_total").
    init(registry: PrometheusCollectorRegistry, name: String, help: String) {
        self.registry = registry
        self.name = name
        self.help = help
    }

    /// Adds `amount` to the counter of `key`; `labels` runs only on the first sight of `key`.
    func increment(_ key: Key, by amount: Int64 = 1, labels: (Key) -> [(String, String)]) {
        counter(for: key, labels: labels).increment(by: amount)
    }

    private func counter(for key: Key, labels: (Key) -> [(String, String)]) -> Counter {
        counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: .named(name, help: help), labels: labels(key))
            counters[key] = counter
            return counter
        }
    }
}

extension MetricNameDescriptor {
    /// A descriptor for a complete metric name: Hubble's and our names are fixed strings, not
    /// assembled from namespace, subsystem and unit.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
