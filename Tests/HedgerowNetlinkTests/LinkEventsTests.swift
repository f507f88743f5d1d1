import Foundation
import HedgerowNetlink
import HedgerowTestSupport
import Testing

/// The link-event subscription against the real kernel. Other tests create links at the same
/// time, so every check looks for this test's own unique names.
@Suite struct LinkEventsTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func reportsAVethBeingAddedAndRemoved() async throws {
        try Privileged.require()
        let events = try LinkEvents()
        defer { events.close() }
        let pair = try RootVethPair()
        defer { pair.destroy() }
        let index = pair.index
        try Shell.run("ip", "link", "delete", pair.name)

        let name = pair.name
        let seen = try await collect(events) { seen in seen.contains { $0.isRemoved(named: name) } }
        let added = seen.compactMap { event -> Link? in
            if case .added(let link) = event, link.name == name { return link }
            return nil
        }
        #expect(added.first?.kind == "veth")
        #expect(added.first?.index == index)
        #expect(seen.contains(.removed(index: index, name: name)))
        let addedAt = try #require(seen.firstIndex { $0.isAdded(named: name) })
        let removedAt = try #require(seen.firstIndex { $0.isRemoved(named: name) })
        #expect(addedAt < removedAt)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func endsWhenTheConsumingTaskIsCancelled() async throws {
        try Privileged.require()
        let events = try LinkEvents()
        let consumer = Task {
            var count = 0
            for try await _ in events { count += 1 }
            return count
        }
        consumer.cancel()
        _ = try await within(.seconds(30)) { try await consumer.value }
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func endsOnClose() async throws {
        try Privileged.require()
        let events = try LinkEvents()
        let consumer = Task {
            var count = 0
            for try await _ in events { count += 1 }
            return count
        }
        events.close()
        _ = try await within(.seconds(30)) { try await consumer.value }
        var iterator = events.makeAsyncIterator()
        #expect(try await iterator.next() == nil, "a closed subscription stays ended")
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func aConsumerFallingBehindGetsAnOverrunAndCanResync() async throws {
        try Privileged.require()
        let events = try LinkEvents(bufferLimit: 2)
        defer { events.close() }
        let socket = try NetlinkSocket()
        defer { socket.close() }
        // Each pair makes several RTM_NEWLINK messages; nobody reads while they arrive.
        let pairs = try (0..<3).map { _ in try RootVethPair() }
        defer { pairs.forEach { $0.destroy() } }
        let late = pairs[2].name

        // Behaves as a consumer should: on .overrun, resync with a dump. The change made at
        // the first overrun is then seen either as an event or, when other tests' events
        // overran the tiny buffer again, by the next resync.
        let seen = try await within(.seconds(30)) {
            var seen: [LinkEvent] = []
            for try await event in events {
                seen.append(event)
                if event == .overrun {
                    if try socket.link(named: late)?.isUp == true { break }
                    try Shell.run("ip", "link", "set", late, "up")
                }
                if case .added(let link) = event, link.name == late, link.isUp { break }
            }
            return seen
        }
        #expect(seen.count > 2)
        #expect(seen.prefix(2).allSatisfy { $0 != .overrun }, "the buffered events come first")
        #expect(seen.contains(.overrun))
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func followsTheNamespaceItWasCreatedIn() async throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let events = try onThread(in: namespace) { try LinkEvents() }
        defer { events.close() }

        let rootPair = try RootVethPair()
        defer { rootPair.destroy() }
        let inside = UniqueName.make("hrin")
        try namespace.run("ip", "link", "add", inside, "type", "veth", "peer", "name", UniqueName.make("hrinp"))

        let seen = try await collect(events) { seen in seen.contains { $0.isAdded(named: inside) } }
        #expect(!seen.contains { $0.isAdded(named: rootPair.name) }, "root namespace changes are not seen")
    }
}
