import Testing

@testable import HedgerowCore

@Suite struct ManifestParsingTests {
    @Test func readsMultipleDocumentsWithTheirPositions() {
        let yaml = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: x
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: x, name: a}
            """
        let parsed = ParsedManifest.parse(file: "lab/a.yaml", contents: yaml)
        #expect(parsed.errors.isEmpty && parsed.warnings.isEmpty)
        #expect(parsed.items.map(\.source) == [ManifestSource(file: "lab/a.yaml", document: 1), ManifestSource(file: "lab/a.yaml", document: 2)])
        #expect(parsed.items.map(\.object.reference.description) == ["Namespace x", "Pod x/a"])
    }

    @Test func skipsEmptyDocumentsButKeepsCounting() {
        let yaml = """
            # leading comment
            ---
            ---
            # only a comment
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: x}
            ---
            """
        let parsed = ParsedManifest.parse(file: "f.yaml", contents: yaml)
        #expect(parsed.errors.isEmpty)
        #expect(parsed.items.count == 1)
        #expect(parsed.items[0].source.document == 3)
    }

    @Test func emptyAndCommentOnlyFilesHaveNothing() {
        for contents in ["", "\n", "# nothing\n", "---\n", "---\n---\n", "null\n"] {
            let parsed = ParsedManifest.parse(file: "f.yaml", contents: contents)
            #expect(parsed.items.isEmpty && parsed.errors.isEmpty && parsed.warnings.isEmpty, "\(contents)")
        }
    }

    @Test func readsJSON() {
        let json = "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\"name\": \"a\", \"labels\": {\"app\": \"web\"}},\n\t\"spec\": {\"containers\": [{\"name\": \"c\", \"ports\": [{\"containerPort\": 80}]}]}\n}\n"
        let parsed = ParsedManifest.parse(file: "pod.json", contents: json)
        #expect(parsed.errors.isEmpty)
        guard case .pod(let pod)? = parsed.items.first?.object else {
            Issue.record("no pod: \(parsed.errors)")
            return
        }
        #expect(pod.namespacedName.description == "default/a")
        #expect(pod.labels == ["app": "web"])
        #expect(pod.ports == [ContainerPort(port: 80)])
    }

    @Test func readsAV1List() {
        let yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Namespace
              metadata: {name: x}
            - apiVersion: v1
              kind: Pod
              metadata: {namespace: x, name: a}
            - apiVersion: v1
              kind: Service
              metadata: {namespace: x, name: web}
              spec: {ports: [{port: 80}]}
            """
        let parsed = ParsedManifest.parse(file: "list.yaml", contents: yaml)
        #expect(parsed.errors.isEmpty)
        #expect(parsed.items.map(\.object.reference.description) == ["Namespace x", "Pod x/a", "Service x/web"])
        #expect(parsed.items.allSatisfy { $0.source.document == 1 })
        #expect(parsed.warnings.isEmpty)
    }

    @Test func listItemErrorsNameTheItemAndItsObject() {
        let yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Namespace
              metadata: {name: x}
            - apiVersion: v1
              kind: Pod
              metadata: {namespace: x, name: a}
              spec: {hostNetwork: "yes"}
            - 42
            - {apiVersion: v1, kind: List, items: []}
            """
        #expect(errorDescriptions(yaml, file: "list.yaml") == [
            "list.yaml doc 1 (Pod x/a): items[1].spec.hostNetwork: expected a boolean, got a string (\"yes\")",
            "list.yaml doc 1: items[2]: a List item must be a map, got a number",
            "list.yaml doc 1 (List): items[3]: a List cannot contain another List",
        ])
        #expect(ParsedManifest.parse(file: "list.yaml", contents: yaml).items.count == 1)
    }

    @Test func listWithoutItemsIsAnError() {
        #expect(errorDescriptions("apiVersion: v1\nkind: List\n", file: "l.yaml") == ["l.yaml doc 1 (List): items: required value is missing"])
        #expect(errorDescriptions("apiVersion: v1\nkind: List\nitems: {}\n", file: "l.yaml") == ["l.yaml doc 1 (List): items: expected a list, got a map"])
    }

    @Test func servicesAndEndpointSlicesAreRead() {
        let yaml = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: x}
            ---
            apiVersion: v1
            kind: Service
            metadata: {namespace: x, name: web}
            spec: {ports: [{port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            endpoints: [{addresses: [10.0.0.5]}]
            ports: [{port: 8080}]
            ---
            apiVersion: v1beta1
            kind: EndpointSlice
            metadata: {name: old}
            """
        let parsed = ParsedManifest.parse(file: "lab/svc.yaml", contents: yaml)
        #expect(parsed.errors.map(\.description) == [
            "lab/svc.yaml doc 4 (EndpointSlice default/old): apiVersion: kind EndpointSlice has apiVersion \"discovery.k8s.io/v1\", not \"v1beta1\"",
        ])
        #expect(parsed.warnings.isEmpty)
        guard parsed.items.count == 3, case .service(let service) = parsed.items[1].object,
            case .endpointSlice(let slice) = parsed.items[2].object
        else {
            Issue.record("expected a Namespace, a Service and an EndpointSlice, got \(parsed.items)")
            return
        }
        #expect(service.namespacedName.description == "x/web" && service.ports.map(\.port) == [80])
        #expect(slice.namespacedName.description == "default/web-abc" && slice.endpoints.count == 1)
        #expect(parsed.items[2].object.reference == ObjectReference(kind: "EndpointSlice", namespace: "default", name: "web-abc"))
    }

    @Test func unknownKindsAreIgnoredWithAWarning() {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {namespace: x, name: web}
            spec: {replicas: "not checked"}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg}
            """
        let parsed = ParsedManifest.parse(file: "f.yaml", contents: yaml)
        #expect(parsed.errors.isEmpty)
        #expect(parsed.warnings.map(\.description) == [
            "f.yaml doc 1 (Deployment x/web): kind Deployment (apps/v1) is not known to Hedgerow, ignored",
            "f.yaml doc 2 (ConfigMap cfg): kind ConfigMap (v1) is not known to Hedgerow, ignored",
        ])
    }

    @Test func apiVersionAndKindAreRequired() {
        #expect(errorDescriptions("metadata: {name: a}\n", file: "f.yaml") == [
            "f.yaml doc 1: apiVersion: required value is missing",
            "f.yaml doc 1: kind: required value is missing",
        ])
        #expect(errorDescriptions("apiVersion: 1\nkind: [Pod]\n", file: "f.yaml") == [
            "f.yaml doc 1: apiVersion: expected a string, got a number (1); quote the value to keep it a string",
            "f.yaml doc 1: kind: expected a string, got a list",
        ])
    }

    @Test func wrongAPIVersionForAKnownKindIsAnError() {
        #expect(errorDescriptions("apiVersion: v2\nkind: Pod\nmetadata: {name: a}\n", file: "f.yaml") == [
            "f.yaml doc 1 (Pod default/a): apiVersion: kind Pod has apiVersion \"v1\", not \"v2\""
        ])
    }

    @Test func aDocumentMustBeAMap() {
        #expect(errorDescriptions("- a\n- b\n", file: "f.yaml") == ["f.yaml doc 1: a manifest document must be a map, got a list"])
        #expect(errorDescriptions("just text\n", file: "f.yaml") == ["f.yaml doc 1: a manifest document must be a map, got a string"])
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: a
               labels: x
            """
        let errors = ParsedManifest.parse(file: "lab/bad.yaml", contents: yaml).errors
        #expect(errors.count == 1)
        #expect(errors[0].file == "lab/bad.yaml" && errors[0].line == 5 && errors[0].column == 10)
        #expect(errors[0].description.hasPrefix("lab/bad.yaml:5:10: YAML syntax error: mapping values are not allowed"))
    }

    @Test func syntaxErrorInALaterDocumentKeepsEarlierProblems() {
        let yaml = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: Bad}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: [unclosed
            """
        let errors = ParsedManifest.parse(file: "f.yaml", contents: yaml).errors
        #expect(errors.count == 2)
        #expect(errors[0].description.hasPrefix("f.yaml doc 1 (Namespace Bad): metadata.name: invalid value \"Bad\""))
        #expect(errors[1].line != nil && errors[1].description.contains("YAML syntax error"))
    }

    @Test func duplicateKeysAreSyntaxErrors() {
        let errors = ParsedManifest.parse(file: "f.yaml", contents: "apiVersion: v1\nkind: Pod\nkind: Namespace\n").errors
        #expect(errors.count == 1)
        #expect(errors[0].message.contains("duplicate key \"kind\""))
        #expect(errors[0].line != nil)
    }

    @Test func yaml11ScalarsAreTypedAsKubernetesTypesThem() {
        // `on` is a boolean and 1.10 a number in YAML 1.1: Kubernetes rejects both as label values.
        let yaml = podYAML(metadataExtra: "  labels: {debug: on, version: 1.10, quoted: \"1.10\", date: 2024-01-02}")
        #expect(errorDescriptions(yaml) == [
            "lab/pods.yaml doc 1 (Pod x/a): metadata.labels.debug: expected a string, got a boolean (true); quote the value to keep it a string",
            "lab/pods.yaml doc 1 (Pod x/a): metadata.labels.version: expected a string, got a number (1.1); quote the value to keep it a string",
        ])
    }

    @Test func anchorsAliasesAndMergeKeysWork() {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: a
              labels: &common {app: web, tier: front}
            spec:
              containers:
              - name: c
                ports:
                - &http {name: http, containerPort: 80}
                - <<: *http
                  name: alt
            """
        let pod = parsePod(yaml)
        #expect(pod?.labels == ["app": "web", "tier": "front"])
        #expect(pod?.ports == [ContainerPort(name: "http", port: 80), ContainerPort(name: "alt", port: 80)])
    }

    @Test func nonScalarKeysAreErrors() {
        let yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  ? [a, b]\n  : c\n"
        #expect(errorDescriptions(yaml, file: "f.yaml") == ["f.yaml doc 1 (Namespace x): metadata: map keys must be scalars, found a list"])
    }
}
