import Testing

@testable import HedgerowCore

@Suite struct PodDecodingTests {
    /// A pod as `kubectl get pod -o yaml` prints it: many fields we do not use.
    static let realisticPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          annotations:
            kubectl.kubernetes.io/restartedAt: "2024-05-01T10:00:00Z"
          creationTimestamp: "2024-05-01T10:00:00Z"
          generateName: web-7d4b9c-
          labels:
            app.kubernetes.io/name: web
            pod-template-hash: 7d4b9c
          name: web-7d4b9c-x2k4p
          namespace: shop
          ownerReferences:
          - apiVersion: apps/v1
            blockOwnerDeletion: true
            controller: true
            kind: ReplicaSet
            name: web-7d4b9c
            uid: 3b1e0a52-0f7c-4c8e-9a55-8d3c1f0b7e21
          resourceVersion: "1234"
          uid: 9f1c2d3e-4b5a-6789-abcd-ef0123456789
        spec:
          containers:
          - image: nginx:1.25
            imagePullPolicy: IfNotPresent
            name: nginx
            ports:
            - containerPort: 80
              name: http
              protocol: TCP
            - containerPort: 53
              name: dns
              protocol: UDP
            resources: {}
          - image: exporter:1
            name: metrics
            ports:
            - containerPort: 9113
          dnsPolicy: ClusterFirst
          nodeName: node-1
          restartPolicy: Always
          terminationGracePeriodSeconds: 30
          tolerations:
          - effect: NoExecute
            key: node.kubernetes.io/not-ready
            operator: Exists
            tolerationSeconds: 300
        status:
          conditions:
          - lastProbeTime: null
            status: "True"
            type: Ready
          hostIP: 192.168.1.10
          phase: Running
          podIP: 10.42.0.15
          podIPs:
          - ip: 10.42.0.15
          - ip: fd00:42::f
          qosClass: BestEffort
        """

    @Test func decodesARealisticPodIgnoringUnusedFields() throws {
        let pod = try #require(parsePod(Self.realisticPod))
        #expect(pod.namespacedName == NamespacedName(namespace: "shop", name: "web-7d4b9c-x2k4p"))
        #expect(pod.labels == ["app.kubernetes.io/name": "web", "pod-template-hash": "7d4b9c"])
        #expect(pod.nodeName == "node-1")
        #expect(pod.hostNetwork == false)
        #expect(pod.containers.map(\.name) == ["nginx", "metrics"])
        #expect(pod.ports == [
            ContainerPort(name: "http", port: 80, protocol: .tcp), ContainerPort(name: "dns", port: 53, protocol: .udp),
            ContainerPort(port: 9113, protocol: .tcp),
        ])
        #expect(pod.ips == [IPAddress("10.42.0.15")!, IPAddress("fd00:42::f")!])
        #expect(pod.port(named: "dns", protocol: .udp)?.port == 53)
        #expect(pod.port(named: "dns", protocol: .tcp) == nil)
    }

    @Test func minimalPodGetsDefaults() throws {
        let pod = try #require(parsePod("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"))
        #expect(pod == Pod(namespace: "default", name: "a"))
        #expect(pod.labels.isEmpty && pod.nodeName == nil && !pod.hostNetwork && pod.containers.isEmpty && pod.ips.isEmpty)
    }

    @Test func emptyNamespaceMeansDefault() throws {
        let pod = try #require(parsePod("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: \"\"}\n"))
        #expect(pod.namespace == "default")
    }

    @Test func portProtocolDefaultsToTCP() throws {
        let pod = try #require(parsePod(podYAML(spec: "  containers: [{name: c, ports: [{containerPort: 8080}]}]")))
        #expect(pod.ports == [ContainerPort(port: 8080, protocol: .tcp)])
    }

    @Test func hostNetworkAndPodIPAlone() throws {
        let pod = try #require(parsePod(podYAML(spec: "  hostNetwork: true", status: "  podIP: 192.168.1.10")))
        #expect(pod.hostNetwork)
        #expect(pod.ips == [IPAddress("192.168.1.10")!])
    }

    // MARK: Errors, each with its exact path

    @Test func invalidContainerPortNamesItsPath() {
        let yaml = podYAML(spec: """
              containers:
              - name: web
                ports:
                - containerPort: 80
                - containerPort: 70000
            """)
        #expect(errorDescriptions(yaml) == [
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[1].containerPort: 70000 is not a valid port (1-65535)"
        ])
    }

    @Test func portZeroNegativeMissingAndWrongType() {
        let yaml = podYAML(spec: """
              containers:
              - name: web
                ports: [{containerPort: 0}, {containerPort: -1}, {name: http}, {containerPort: "80"}, {containerPort: 80.5}]
            """)
        #expect(errorDescriptions(yaml) == [
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[0].containerPort: 0 is not a valid port (1-65535)",
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[1].containerPort: -1 is not a valid port (1-65535)",
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[2].containerPort: required value is missing",
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[3].containerPort: expected an integer, got a string (\"80\")",
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[4].containerPort: expected an integer, got a number (80.5)",
        ])
    }

    @Test func invalidProtocolIsCaseSensitive() {
        let yaml = podYAML(spec: "  containers: [{name: c, ports: [{containerPort: 80, protocol: tcp}]}]")
        #expect(errorDescriptions(yaml) == [
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[0].protocol: unsupported value \"tcp\": supported values are \"TCP\", \"UDP\", \"SCTP\""
        ])
    }

    @Test func invalidAndDuplicatePortNames() {
        let yaml = podYAML(spec: """
              containers:
              - name: c
                ports:
                - {name: http, containerPort: 80}
                - {name: http, containerPort: 81}
                - {name: HTTP, containerPort: 82}
              - name: d
                ports:
                - {name: http, containerPort: 83}
            """)
        #expect(errorDescriptions(yaml) == [
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[1].name: duplicate port name \"http\" (also at spec.containers[0].ports[0].name)",
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].ports[2].name: invalid value \"HTTP\": must contain only lowercase letters, digits and '-'; must contain at least one letter (a-z)",
        ])
    }

    @Test func invalidContainerName() {
        #expect(errorDescriptions(podYAML(spec: "  containers: [{name: Web}]")) == [
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0].name: invalid value \"Web\": must consist of lowercase letters, digits and '-', and start and end with a letter or digit (e.g. 'my-name' or '123-abc')"
        ])
    }

    @Test func wrongTypesInSpec() {
        let yaml = podYAML(spec: """
              nodeName: 5
              hostNetwork: "true"
              containers:
                name: c
            """)
        #expect(errorDescriptions(yaml) == [
            "lab/pods.yaml doc 1 (Pod x/a): spec.nodeName: expected a string, got a number (5); quote the value to keep it a string",
            "lab/pods.yaml doc 1 (Pod x/a): spec.hostNetwork: expected a boolean, got a string (\"true\")",
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers: expected a list, got a map",
        ])
        #expect(errorDescriptions("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: []\n", file: "f.yaml") == [
            "f.yaml doc 1 (Pod default/a): spec: expected a map, got a list"
        ])
        #expect(errorDescriptions(podYAML(spec: "  containers: [null, 3]")) == [
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[0]: expected a map, got null",
            "lab/pods.yaml doc 1 (Pod x/a): spec.containers[1]: expected a map, got a number (3)",
        ])
    }

    @Test func invalidNodeName() {
        #expect(errorDescriptions(podYAML(spec: "  nodeName: Node_1")).count == 1)
        #expect(errorDescriptions(podYAML(spec: "  nodeName: Node_1"))[0].hasPrefix("lab/pods.yaml doc 1 (Pod x/a): spec.nodeName: invalid value \"Node_1\""))
    }

    @Test func metadataErrors() {
        #expect(errorDescriptions("apiVersion: v1\nkind: Pod\n", file: "f.yaml") == ["f.yaml doc 1 (Pod): metadata: required value is missing"])
        #expect(errorDescriptions("apiVersion: v1\nkind: Pod\nmetadata: {generateName: web-}\n", file: "f.yaml") == [
            "f.yaml doc 1 (Pod): metadata.name: required value is missing"
        ])
        let badNames = errorDescriptions("apiVersion: v1\nkind: Pod\nmetadata: {name: Web_1, namespace: my.ns}\n", file: "f.yaml")
        #expect(badNames.count == 2)
        #expect(badNames[0].hasPrefix("f.yaml doc 1 (Pod my.ns/Web_1): metadata.name: invalid value \"Web_1\": must consist of lowercase letters, digits, '-' and '.'"))
        #expect(badNames[1].hasPrefix("f.yaml doc 1 (Pod my.ns/Web_1): metadata.namespace: invalid value \"my.ns\": must consist of lowercase letters, digits and '-'"))
    }

    @Test func podNamesMayBeSubdomains() throws {
        let pod = try #require(parsePod("apiVersion: v1\nkind: Pod\nmetadata: {name: web.v2-0}\n"))
        #expect(pod.name == "web.v2-0")
    }

    @Test func labelErrorsNameKeyAndValue() {
        let yaml = podYAML(metadataExtra: "  labels: {-bad: ok, app.kubernetes.io/name: -x, ok: [1]}")
        #expect(errorDescriptions(yaml) == [
            "lab/pods.yaml doc 1 (Pod x/a): metadata.labels.ok: expected a string, got a list",
            "lab/pods.yaml doc 1 (Pod x/a): metadata.labels: invalid label key \"-bad\": name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc')",
            "lab/pods.yaml doc 1 (Pod x/a): metadata.labels[\"app.kubernetes.io/name\"]: invalid value \"-x\": must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyValue', 'my_value' or '12345')",
        ])
    }

    @Test func statusIPErrors() {
        #expect(errorDescriptions(podYAML(status: "  podIP: 10.0.0.300")) == [
            "lab/pods.yaml doc 1 (Pod x/a): status.podIP: invalid value \"10.0.0.300\": not an IP address"
        ])
        #expect(errorDescriptions(podYAML(status: "  podIPs: [{ip: 10.0.0.1}, {ip: 10.0.0.2}]")) == [
            "lab/pods.yaml doc 1 (Pod x/a): status.podIPs[1].ip: a pod has at most one IPv4 address (also 10.0.0.1)"
        ])
        #expect(errorDescriptions(podYAML(status: "  podIP: 10.0.0.1\n  podIPs: [{ip: 10.0.0.2}]")) == [
            "lab/pods.yaml doc 1 (Pod x/a): status.podIPs[0].ip: must equal status.podIP (10.0.0.1)"
        ])
        #expect(errorDescriptions(podYAML(status: "  podIPs: [{address: 10.0.0.2}]")) == [
            "lab/pods.yaml doc 1 (Pod x/a): status.podIPs[0].ip: required value is missing"
        ])
    }

    @Test func everyErrorOfADocumentIsReported() {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: A, namespace: x, labels: {app: -web}}
            spec:
              containers: [{name: c, ports: [{containerPort: 0, protocol: ICMP}]}]
            status: {podIP: nope}
            """
        #expect(errorDescriptions(yaml, file: "f.yaml").count == 5)
    }
}
