import HedgerowCore

/// What a reflector publishes after each change: its cache and how it is doing.
public struct ReflectorSnapshot: Sendable {
    public var resource: KubernetesResource
    public var objects: [ManifestObject]
    /// Objects whose latest version was rejected (sorted by reference).
    public var problems: [ObjectProblems]
    public var hasSynced: Bool
    public var isInstalled: Bool
    public var resourceVersion: String?
    public var rejectedCount: Int
    public var relistCount: Int
    /// Whether objects or problems changed since the previous snapshot (else only the version moved).
    public var objectsChanged: Bool

    init(_ state: ReflectorState, objectsChanged: Bool) {
        self.objectsChanged = objectsChanged
        resource = state.resource
        objects = Array(state.objects.values)
        problems = state.problems.values.sorted { $0.object < $1.object }
        hasSynced = state.hasSynced
        isInstalled = state.isInstalled
        resourceVersion = state.resourceVersion
        rejectedCount = state.rejectedCount
        relistCount = state.relistCount
    }
}
