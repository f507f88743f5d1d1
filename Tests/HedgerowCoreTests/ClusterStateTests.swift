import Testing

@testable import HedgerowCore

@Suite struct ClusterStateTests {
    static let namespaces = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: x, labels: {ns: x}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: y}
        """
    static let pods = """
        apiVersion: v1
        kind: Pod
        metadata: {namespace: x, name: a, labels: {pod: a}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {namespace: y, name: b, labels: {pod: b}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {namespace: z, name: c, labels: {pod: c}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {namespace: x, name: web}
        spec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}
        """

    @Test func loadsNamespacesAndPodsFromFiles() throws {
        let (state, warnings) = try ClusterState.load(files: [("lab/ns.yaml", Self.namespaces), ("lab/pods.yaml", Self.pods)])
        #expect(state.sortedNamespaces.map(\.name) == ["x", "y", "z"])
        #expect(state.sortedPods.map(\.namespacedName.description) == ["x/a", "y/b", "z/c"])
        #expect(state.pod(namespace: "x", name: "a")?.labels == ["pod": "a"])
        #expect(state.pod(namespace: "x", name: "b") == nil)
        #expect(state.namespaceLabels("x") == ["ns": "x", "kubernetes.io/metadata.name": "x"])
        #expect(state.namespaceLabels("nowhere") == nil)
        #expect(state.pods(inNamespace: "y").map(\.name) == ["b"])
        #expect(warnings.isEmpty)
        #expect(state.sortedServices.map(\.namespacedName.description) == ["x/web"])
        #expect(state.services[NamespacedName(namespace: "x", name: "web")]?.ports.map(\.port) == [80])
    }

    @Test func podsImplyTheirNamespace() throws {
        let (state, _) = try ClusterState.load(files: [("lab/pods.yaml", Self.pods)])
        let z = try #require(state.namespaces["z"])
        #expect(z.isImplied)
        #expect(z.labels == ["kubernetes.io/metadata.name": "z"])
        #expect(state.namespaceLabels("z") == ["kubernetes.io/metadata.name": "z"])
    }

    @Test func aDeclaredNamespaceIsNotImplied() throws {
        let (state, _) = try ClusterState.load(files: [("p.yaml", Self.pods), ("n.yaml", Self.namespaces)])
        #expect(state.namespaces["x"]?.isImplied == false)
        #expect(state.namespaces["z"]?.isImplied == true)
    }

    @Test func noFilesIsAnEmptyState() throws {
        let (state, warnings) = try ClusterState.load(files: [])
        #expect(state == ClusterState() && warnings.isEmpty)
    }

    @Test func duplicatesNameBothPlaces() {
        let again = "apiVersion: v1\nkind: Namespace\nmetadata: {name: z}\n---\napiVersion: v1\nkind: Pod\nmetadata: {namespace: x, name: a}\n"
        #expect(throws: ManifestLoadError(errors: [
            ManifestError(
                file: "lab/more.yaml", document: 2, object: ObjectReference(kind: "Pod", namespace: "x", name: "a"),
                message: "duplicate: Pod x/a is also defined in lab/pods.yaml doc 1")
        ])) {
            try ClusterState.load(files: [("lab/pods.yaml", Self.pods), ("lab/more.yaml", again)])
        }
    }

    @Test func duplicatesWithinOneFileAndAcrossKinds() {
        let yaml = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: a}
            """
        do {
            _ = try ClusterState.load(files: [("f.yaml", yaml)])
            Issue.record("expected an error")
        } catch {
            // A pod and a namespace may share a name; two namespaces may not.
            #expect(error.errors.map(\.description) == ["f.yaml doc 3 (Namespace a): duplicate: Namespace a is also defined in f.yaml doc 1"])
        }
    }

    @Test func allOrNothingWithEveryProblemOfEveryFile() {
        let bad1 = "apiVersion: v1\nkind: Pod\nmetadata: {name: A}\n"
        let bad2 = "apiVersion: v1\nkind: Pod\nmetadata: {name: b\n"
        do {
            _ = try ClusterState.load(files: [("good.yaml", Self.pods), ("bad1.yaml", bad1), ("bad2.yaml", bad2)])
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.count == 2)
            #expect(error.errors.map(\.file) == ["bad1.yaml", "bad2.yaml"])
            #expect(error.errors[1].line != nil)
            #expect(error.description.hasPrefix("2 problems in manifests:\n  bad1.yaml doc 1 (Pod default/A): metadata.name"))
        }
    }

    @Test func singleProblemDescriptionIsTheProblem() {
        let error = ManifestLoadError(errors: [ManifestError(file: "f.yaml", document: 1, message: "boom")])
        #expect(error.description == "f.yaml doc 1: boom")
    }

    @Test func programmaticStateImpliesNamespacesToo() {
        let state = ClusterState(namespaces: [Namespace(name: "x")], pods: [Pod(namespace: "q", name: "p")])
        #expect(state.namespaces["q"]?.isImplied == true)
        #expect(state.namespaces["x"]?.isImplied == false)
    }
}

@Suite struct ClusterStateDiffTests {
    @Test func identicalStatesHaveNoChanges() {
        let state = ClusterState(namespaces: [Namespace(name: "x")], pods: [Pod(namespace: "x", name: "a")])
        #expect(state.diff(from: state).isEmpty)
    }

    @Test func addedRemovedAndChangedPodsAndNamespaces() {
        let old = ClusterState(
            namespaces: [Namespace(name: "x", labels: ["v": "1"]), Namespace(name: "gone")],
            pods: [
                Pod(namespace: "x", name: "a", labels: ["v": "1"]), Pod(namespace: "x", name: "b"),
                Pod(namespace: "x", name: "same"),
            ])
        let new = ClusterState(
            namespaces: [Namespace(name: "x", labels: ["v": "2"]), Namespace(name: "new")],
            pods: [
                Pod(namespace: "x", name: "a", labels: ["v": "2"]), Pod(namespace: "x", name: "same"),
                Pod(namespace: "y", name: "c"),
            ])
        let change = new.diff(from: old)
        #expect(change.pods.added.map(\.namespacedName.description) == ["y/c"])
        #expect(change.pods.removed.map(\.namespacedName.description) == ["x/b"])
        #expect(change.pods.changed == [
            Modification(old: Pod(namespace: "x", name: "a", labels: ["v": "1"]), new: Pod(namespace: "x", name: "a", labels: ["v": "2"]))
        ])
        // y is implied by pod y/c, so it appears as a namespace too.
        #expect(change.namespaces.added.map(\.name) == ["new", "y"])
        #expect(change.namespaces.added.last?.isImplied == true)
        #expect(change.namespaces.removed.map(\.name) == ["gone"])
        #expect(change.namespaces.changed.map(\.new.labels) == [["v": "2", "kubernetes.io/metadata.name": "x"]])
        #expect(!change.isEmpty)
    }

    @Test func podIPAndPortChangesAreChanges() {
        let old = ClusterState(namespaces: [], pods: [Pod(name: "a")])
        let new = ClusterState(namespaces: [], pods: [Pod(name: "a", ips: [IPAddress("10.0.0.5")!])])
        #expect(new.diff(from: old).pods.changed.count == 1)
        #expect(new.diff(from: old).namespaces.isEmpty)
    }

    @Test func diffFromEmptyAddsEverything() throws {
        let (state, _) = try ClusterState.load(files: [("p.yaml", ClusterStateTests.pods)])
        let change = state.diff(from: ClusterState())
        #expect(change.pods.added.count == 3 && change.pods.removed.isEmpty && change.pods.changed.isEmpty)
        #expect(change.namespaces.added.map(\.name) == ["x", "y", "z"])
        let reverse = ClusterState().diff(from: state)
        #expect(reverse.pods.removed.count == 3 && reverse.namespaces.removed.count == 3)
    }
}
