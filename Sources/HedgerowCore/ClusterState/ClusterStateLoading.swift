extension ClusterState {
    /// Builds the state from manifest files, all or nothing: any problem in any file throws one
    /// error listing every problem of every file (syntax, fields, duplicates), and no state.
    ///
    /// - Parameter files: names (used in messages only) and contents, in the order to read them.
    /// - Returns: the state and the warnings (ignored kinds).
    /// - Throws: `ManifestLoadError` with every problem, in file and document order, duplicates last.
    public static func load(
        files: [(name: String, contents: String)]
    ) throws(ManifestLoadError) -> (state: ClusterState, warnings: [ManifestWarning]) {
        let parsed = files.map { ParsedManifest.parse(file: $0.name, contents: $0.contents) }
        var errors = parsed.flatMap(\.errors)
        let warnings = parsed.flatMap(\.warnings)

        var firstSource: [ObjectReference: ManifestSource] = [:]
        var namespaces: [Namespace] = []
        var pods: [Pod] = []
        var policies: [PolicyObject] = []
        var services: [Service] = []
        var endpointSlices: [EndpointSlice] = []
        for item in parsed.flatMap(\.items) {
            switch item.object {
            case .namespace, .pod, .policy, .service, .endpointSlice: break
            case .unknown: continue
            }
            let reference = item.object.reference
            if let earlier = firstSource[reference] {
                errors.append(
                    ManifestError(
                        file: item.source.file, document: item.source.document, object: reference,
                        message: "duplicate: \(reference) is also defined in \(earlier)"))
                continue
            }
            firstSource[reference] = item.source
            switch item.object {
            case .namespace(let namespace): namespaces.append(namespace)
            case .pod(let pod): pods.append(pod)
            case .policy(let policy): policies.append(policy)
            case .service(let service): services.append(service)
            case .endpointSlice(let slice): endpointSlices.append(slice)
            case .unknown: break
            }
        }
        guard errors.isEmpty else { throw ManifestLoadError(errors: errors) }
        let state = ClusterState(
            namespaces: namespaces, pods: pods, policies: policies, services: services, endpointSlices: endpointSlices)
        return (state, warnings)
    }
}
