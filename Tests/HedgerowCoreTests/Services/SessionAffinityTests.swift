import Testing

@testable import HedgerowCore

@Suite struct SessionAffinityTests {
    static let a = BackendAddress(ip: addr("10.42.0.5"), port: 8080)
    static let b = BackendAddress(ip: addr("10.42.0.6"), port: 8080)

    static func frontend(_ affinity: SessionAffinity, backends: [BackendAddress] = [a, b]) -> ServiceFrontend {
        ServiceFrontend(
            key: FrontendKey("10.43.0.10:80/TCP")!, kind: .clusterIP, service: NamespacedName(namespace: "x", name: "web"),
            id: ServiceID(rawValue: 1), backends: backends.map { ServiceBackend(address: $0) }, sessionAffinity: affinity)
    }

    @Test func freshnessIsStrictlyWithinTheTimeout() {
        let pin = SessionAffinityPin(backend: Self.a, lastSeenSeconds: 1000)
        #expect(pin.isFresh(now: 1000, timeoutSeconds: 10))
        #expect(pin.isFresh(now: 1009, timeoutSeconds: 10))
        #expect(!pin.isFresh(now: 1010, timeoutSeconds: 10))
        #expect(!pin.isFresh(now: 50_000, timeoutSeconds: 10800))
        #expect(pin.isFresh(now: 1000 + 10799, timeoutSeconds: 10800))
        // A clock that went backwards counts as no time elapsed.
        #expect(pin.isFresh(now: 10, timeoutSeconds: 1))
    }

    @Test func decisions() {
        let clientIP = Self.frontend(.clientIP(timeoutSeconds: 60))
        let pin = SessionAffinityPin(backend: Self.b, lastSeenSeconds: 100)
        #expect(SessionAffinityDecision.decide(pin: pin, frontend: clientIP, now: 159) == .keep(Self.b))
        #expect(SessionAffinityDecision.decide(pin: pin, frontend: clientIP, now: 160) == .choose(reason: .expired))
        #expect(SessionAffinityDecision.decide(pin: nil, frontend: clientIP, now: 100) == .choose(reason: .noPin))
        #expect(SessionAffinityDecision.decide(pin: pin, frontend: Self.frontend(.none), now: 100) == .choose(reason: .noAffinity))
        let withoutB = Self.frontend(.clientIP(timeoutSeconds: 60), backends: [Self.a])
        #expect(SessionAffinityDecision.decide(pin: pin, frontend: withoutB, now: 101) == .choose(reason: .backendGone))
    }

    @Test func terminatingFallbackBackendsKeepTheirPins() {
        var frontend = Self.frontend(.clientIP(timeoutSeconds: 60))
        frontend.backends = [ServiceBackend(address: Self.a, state: .terminating)]
        let pin = SessionAffinityPin(backend: Self.a, lastSeenSeconds: 100)
        #expect(SessionAffinityDecision.decide(pin: pin, frontend: frontend, now: 120) == .keep(Self.a))
    }

    @Test func modelCarriesTheDecodedTimeout() throws {
        let yaml = serviceYAML(spec: """
              clusterIP: 10.43.0.10
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 30}}
              ports: [{port: 80}]
            """)
        let service = try #require(decodeService(yaml).service)
        var ids = ServiceIDAllocator()
        let model = ServiceModel.build(services: [service], endpointSlices: [], nodeName: nil, ids: &ids)
        let frontend = try #require(model.sortedFrontends.first)
        let pin = SessionAffinityPin(backend: Self.a, lastSeenSeconds: 0)
        #expect(frontend.backends.isEmpty)
        #expect(SessionAffinityDecision.decide(pin: pin, frontend: frontend, now: 1) == .choose(reason: .backendGone))
        #expect(frontend.sessionAffinity.timeoutSeconds == 30)
    }
}
