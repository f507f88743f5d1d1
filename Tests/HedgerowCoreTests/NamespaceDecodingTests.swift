import Testing

@testable import HedgerowCore

@Suite struct NamespaceDecodingTests {
    @Test func decodesNameAndLabelsPlusTheAutomaticNameLabel() {
        let yaml = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
              labels: {team: payments}
              annotations: {note: ignored}
            spec: {finalizers: [kubernetes]}
            status: {phase: Active}
            """
        let parsed = ParsedManifest.parse(file: "ns.yaml", contents: yaml)
        #expect(parsed.errors.isEmpty)
        guard case .namespace(let namespace)? = parsed.items.first?.object else {
            Issue.record("no namespace")
            return
        }
        #expect(namespace.name == "shop" && !namespace.isImplied)
        #expect(namespace.labels == ["team": "payments", "kubernetes.io/metadata.name": "shop"])
    }

    @Test func theAutomaticLabelCannotBeOverridden() {
        let namespace = Namespace(name: "x", labels: ["kubernetes.io/metadata.name": "y"])
        #expect(namespace.labels["kubernetes.io/metadata.name"] == "x")
    }

    @Test func namespaceNamesAreDNSLabels() {
        let errors = errorDescriptions("apiVersion: v1\nkind: Namespace\nmetadata: {name: my.ns}\n", file: "ns.yaml")
        #expect(errors.count == 1)
        #expect(errors[0].hasPrefix("ns.yaml doc 1 (Namespace my.ns): metadata.name: invalid value \"my.ns\": must consist of lowercase letters, digits and '-'"))
        let long = String(repeating: "n", count: 64)
        #expect(errorDescriptions("apiVersion: v1\nkind: Namespace\nmetadata: {name: \(long)}\n", file: "ns.yaml") == [
            "ns.yaml doc 1 (Namespace \(long)): metadata.name: invalid value \"\(long)\": must be no more than 63 characters"
        ])
    }

    @Test func namespaceErrors() {
        #expect(errorDescriptions("apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n", file: "ns.yaml") == [
            "ns.yaml doc 1 (Namespace): metadata.name: required value is missing"
        ])
        #expect(errorDescriptions("apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: [a]}\n", file: "ns.yaml") == [
            "ns.yaml doc 1 (Namespace x): metadata.labels: expected a map, got a list"
        ])
        #expect(errorDescriptions("apiVersion: v1\nkind: Namespace\nmetadata: x\n", file: "ns.yaml") == [
            "ns.yaml doc 1 (Namespace): metadata: expected a map, got a string (\"x\")"
        ])
    }
}
