import Testing

@testable import HedgerowCore

@Suite struct EndpointSliceDecodingTests {
    /// A slice as the EndpointSlice controller writes it (`kubectl get endpointslice -o yaml`).
    static let realisticSlice = """
        addressType: IPv4
        apiVersion: discovery.k8s.io/v1
        endpoints:
        - addresses:
          - 10.42.0.15
          conditions:
            ready: true
            serving: true
            terminating: false
          nodeName: node-1
          targetRef:
            kind: Pod
            name: web-7d4b9c-x2k4p
            namespace: shop
            uid: 9f1c2d3e-4b5a-6789-abcd-ef0123456789
          zone: homelab
        - addresses:
          - 10.42.1.8
          conditions:
            ready: false
            serving: true
            terminating: true
          nodeName: node-2
          targetRef:
            kind: Pod
            name: web-7d4b9c-q8w2e
            namespace: shop
        - addresses:
          - 10.42.1.9
          conditions: {}
          hints:
            forZones:
            - name: homelab
        kind: EndpointSlice
        metadata:
          annotations:
            endpoints.kubernetes.io/last-change-trigger-time: "2024-05-01T10:00:00Z"
          generateName: web-
          generation: 3
          labels:
            endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
            kubernetes.io/service-name: web
          name: web-abc12
          namespace: shop
          ownerReferences:
          - apiVersion: v1
            kind: Service
            name: web
            uid: 0b6a7c1e-1111-4222-8333-944455556666
        ports:
        - name: http
          port: 8080
          protocol: TCP
          appProtocol: http
        - name: dns
          port: 5353
          protocol: UDP
        """

    @Test func decodesARealisticSlice() throws {
        let (decoded, errors) = decodeSlice(Self.realisticSlice)
        #expect(errors == [])
        let slice = try #require(decoded)
        #expect(slice.namespacedName == NamespacedName(namespace: "shop", name: "web-abc12"))
        #expect(slice.serviceName == NamespacedName(namespace: "shop", name: "web"))
        #expect(slice.addressType == .ipv4)
        #expect(slice.ports == [
            EndpointPort(name: "http", port: 8080, protocol: .tcp), EndpointPort(name: "dns", port: 5353, protocol: .udp),
        ])
        #expect(slice.endpoints == [
            Endpoint(
                addresses: [addr("10.42.0.15")], conditions: EndpointConditions(ready: true, serving: true, terminating: false),
                nodeName: "node-1", targetRef: ObjectReference(kind: "Pod", namespace: "shop", name: "web-7d4b9c-x2k4p")),
            Endpoint(
                addresses: [addr("10.42.1.8")], conditions: EndpointConditions(ready: false, serving: true, terminating: true),
                nodeName: "node-2", targetRef: ObjectReference(kind: "Pod", namespace: "shop", name: "web-7d4b9c-q8w2e")),
            Endpoint(addresses: [addr("10.42.1.9")]),
        ])
    }

    /// The API's reading rules: unset ready means ready, unset serving follows ready, unset
    /// terminating means not terminating.
    @Test func conditionDefaults() {
        let unset = EndpointConditions()
        #expect(unset.isReady && unset.isServing && !unset.isTerminating)
        let notReady = EndpointConditions(ready: false)
        #expect(!notReady.isReady && !notReady.isServing && !notReady.isTerminating)
        let draining = EndpointConditions(ready: false, serving: true, terminating: true)
        #expect(!draining.isReady && draining.isServing && draining.isTerminating)
        let servingOnly = EndpointConditions(serving: false)
        #expect(servingOnly.isReady && !servingOnly.isServing)
    }

    @Test func ipv6AndFQDNSlicesAndUnrestrictedPorts() throws {
        let v6 = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-v6, namespace: x, labels: {kubernetes.io/service-name: web}}
            addressType: IPv6
            endpoints: [{addresses: ["fd00:42::f"]}]
            ports: [{name: http}, {port: 80, protocol: UDP}]
            """
        let slice = try #require(decodeSlice(v6).slice)
        #expect(slice.addressType == .ipv6)
        #expect(slice.endpoints.map(\.addresses) == [[addr("fd00:42::f")]])
        #expect(slice.ports == [EndpointPort(name: "http", port: nil, protocol: .tcp), EndpointPort(port: 80, protocol: .udp)])

        let fqdn = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: ext}
            addressType: FQDN
            endpoints: [{addresses: [db.example.com]}]
            """
        let fqdnSlice = try #require(decodeSlice(fqdn).slice)
        #expect(fqdnSlice.addressType == .fqdn && fqdnSlice.endpoints.map(\.addresses) == [[]])
        #expect(fqdnSlice.serviceName == nil && fqdnSlice.namespace == "default")
    }

    @Test func emptyAndNullEndpointsAreAllowed() throws {
        let yaml = "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\nendpoints: null\nports: []\n"
        let slice = try #require(decodeSlice(yaml).slice)
        #expect(slice.endpoints.isEmpty && slice.ports.isEmpty)
    }

    // MARK: Errors

    @Test func addressErrors() {
        let yaml = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: s, namespace: x}
            addressType: IPv4
            endpoints:
            - addresses: ["fd00::1", 10.0.0.256]
            - addresses: []
            - conditions: {ready: "yes"}
            - {addresses: [10.0.0.1], nodeName: Node_1}
            """
        let errors = decodeSlice(yaml).errors
        #expect(errors.count == 6)
        #expect(Array(errors.prefix(5)) == [
            "lab/slices.yaml doc 1 (EndpointSlice x/s): endpoints[0].addresses[0]: fd00::1 is not an IPv4 address (addressType is IPv4)",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): endpoints[0].addresses[1]: invalid value \"10.0.0.256\": not an IP address",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): endpoints[1].addresses: must have 1 to 100 addresses, got 0",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): endpoints[2].addresses: required value is missing",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): endpoints[2].conditions.ready: expected a boolean, got a string (\"yes\")",
        ])
        #expect(errors[5].hasPrefix("lab/slices.yaml doc 1 (EndpointSlice x/s): endpoints[3].nodeName: invalid value \"Node_1\""))
    }

    @Test func addressTypeAndPortErrors() {
        let yaml = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: s, namespace: x}
            addressType: ipv4
            ports:
            - {name: http, port: 0}
            - {name: http, port: 80, protocol: ICMP}
            - {port: 81}
            - {port: 82}
            """
        #expect(decodeSlice(yaml).errors == [
            "lab/slices.yaml doc 1 (EndpointSlice x/s): addressType: unsupported value \"ipv4\": supported values are \"IPv4\", \"IPv6\", \"FQDN\"",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): ports[0].port: 0 is not a valid port (1-65535)",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): ports[1].name: duplicate port name \"http\" (also at ports[0].name)",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): ports[1].protocol: unsupported value \"ICMP\": supported values are \"TCP\", \"UDP\", \"SCTP\"",
            "lab/slices.yaml doc 1 (EndpointSlice x/s): ports[3].name: duplicate port name (unnamed) (also at ports[2].name)",
        ])
        for missing in ["", "addressType: \"\"\n"] {
            #expect(decodeSlice("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\n" + missing).errors == [
                "lab/slices.yaml doc 1 (EndpointSlice default/s): addressType: required value is missing"
            ])
        }
    }

    @Test func serviceNameLabelMustBeAValidLabelValue() {
        let yaml = "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: -web}}\naddressType: IPv4\n"
        let errors = decodeSlice(yaml).errors
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("lab/slices.yaml doc 1 (EndpointSlice default/s): metadata.labels[\"kubernetes.io/service-name\"]: invalid value \"-web\"") == true)
    }
}
