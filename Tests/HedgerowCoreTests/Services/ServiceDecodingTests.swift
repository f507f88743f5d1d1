import Testing

@testable import HedgerowCore

@Suite struct ServiceDecodingTests {
    /// A LoadBalancer service as `kubectl get svc -o yaml` prints it on k3s: many unused fields.
    static let realisticService = """
        apiVersion: v1
        kind: Service
        metadata:
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: |
              {"apiVersion":"v1","kind":"Service"}
          creationTimestamp: "2024-05-01T10:00:00Z"
          labels:
            app.kubernetes.io/name: web
          name: web
          namespace: shop
          resourceVersion: "4321"
          uid: 0b6a7c1e-1111-4222-8333-944455556666
        spec:
          allocateLoadBalancerNodePorts: true
          clusterIP: 10.43.12.7
          clusterIPs:
          - 10.43.12.7
          - fd00:43::c
          externalIPs:
          - 192.0.2.10
          externalTrafficPolicy: Local
          healthCheckNodePort: 31999
          internalTrafficPolicy: Cluster
          ipFamilies:
          - IPv4
          - IPv6
          ipFamilyPolicy: PreferDualStack
          ports:
          - name: http
            nodePort: 30080
            port: 80
            protocol: TCP
            targetPort: http-alt
          - name: dns
            nodePort: 30053
            port: 53
            protocol: UDP
            targetPort: 5353
          - appProtocol: https
            name: https
            nodePort: 30443
            port: 443
            protocol: TCP
            targetPort: 443
          selector:
            app.kubernetes.io/name: web
          sessionAffinity: ClientIP
          sessionAffinityConfig:
            clientIP:
              timeoutSeconds: 600
          type: LoadBalancer
        status:
          loadBalancer:
            ingress:
            - ip: 192.0.2.50
              ipMode: VIP
            - hostname: lb.example.com
            - ip: 2001:db8::50
        """

    @Test func decodesARealisticServiceIgnoringUnusedFields() throws {
        let (decoded, errors) = decodeService(Self.realisticService)
        #expect(errors == [])
        let service = try #require(decoded)
        #expect(service.namespacedName == NamespacedName(namespace: "shop", name: "web"))
        #expect(service.labels == ["app.kubernetes.io/name": "web"])
        #expect(service.type == .loadBalancer)
        #expect(service.clusterIPs == [addr("10.43.12.7"), addr("fd00:43::c")])
        #expect(!service.isHeadless)
        #expect(service.ports == [
            ServicePort(name: "http", protocol: .tcp, port: 80, targetPort: .name("http-alt"), nodePort: 30080),
            ServicePort(name: "dns", protocol: .udp, port: 53, targetPort: .number(5353), nodePort: 30053),
            ServicePort(name: "https", protocol: .tcp, port: 443, targetPort: .number(443), nodePort: 30443),
        ])
        #expect(service.selector == ["app.kubernetes.io/name": "web"])
        #expect(service.sessionAffinity == .clientIP(timeoutSeconds: 600))
        #expect(service.externalTrafficPolicy == .local)
        #expect(service.internalTrafficPolicy == .cluster)
        #expect(service.externalIPs == [addr("192.0.2.10")])
        #expect(service.loadBalancerIngressIPs == [addr("192.0.2.50"), addr("2001:db8::50")])
        #expect(service.allocateLoadBalancerNodePorts)
    }

    @Test func minimalClusterIPServiceGetsKubernetesDefaults() throws {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: api}
            spec:
              clusterIP: 10.43.0.20
              ports: [{port: 8080}]
            """
        let service = try #require(decodeService(yaml).service)
        #expect(service.namespace == "default")
        #expect(service.type == .clusterIP)
        #expect(service.clusterIPs == [addr("10.43.0.20")])
        #expect(service.ports == [ServicePort(protocol: .tcp, port: 8080, targetPort: .number(8080))])
        #expect(service.selector == nil)
        #expect(service.sessionAffinity == .none)
        #expect(service.externalTrafficPolicy == .cluster && service.internalTrafficPolicy == .cluster)
        #expect(service.externalIPs.isEmpty && service.loadBalancerIngressIPs.isEmpty)
        #expect(service.allocateLoadBalancerNodePorts)
    }

    @Test func clientIPAffinityDefaultsTo10800Seconds() throws {
        let service = try #require(decodeService(serviceYAML(spec: "  sessionAffinity: ClientIP\n  ports: [{port: 80}]")).service)
        #expect(service.sessionAffinity == .clientIP(timeoutSeconds: 10800))
        #expect(service.sessionAffinity.timeoutSeconds == SessionAffinity.defaultTimeoutSeconds)
    }

    @Test func headlessServicesMayHaveNoPorts() throws {
        let service = try #require(decodeService(serviceYAML(spec: "  clusterIP: None\n  selector: {app: db}")).service)
        #expect(service.isHeadless && service.clusterIPs.isEmpty && service.ports.isEmpty)
        let viaList = try #require(decodeService(serviceYAML(spec: "  clusterIPs: [None]")).service)
        #expect(viaList.isHeadless)
    }

    @Test func externalNameServiceIsAcceptedWithItsName() throws {
        let service = try #require(decodeService(serviceYAML(spec: "  type: ExternalName\n  externalName: db.example.com")).service)
        #expect(service.type == .externalName)
        #expect(service.externalName == "db.example.com")
        #expect(decodeService(serviceYAML(spec: "  type: ExternalName")).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.externalName: required value is missing"
        ])
    }

    @Test func nodePortServiceAndTargetPortDefaults() throws {
        let yaml = serviceYAML(spec: """
              type: NodePort
              clusterIP: 10.43.0.9
              ports:
              - {name: a, port: 80, nodePort: 30001, targetPort: 0}
              - {name: b, port: 81, nodePort: 0, targetPort: ""}
              - {name: c, port: 82, protocol: SCTP, targetPort: 9000}
            """)
        let service = try #require(decodeService(yaml).service)
        #expect(service.ports == [
            ServicePort(name: "a", port: 80, targetPort: .number(80), nodePort: 30001),
            ServicePort(name: "b", port: 81, targetPort: .number(81), nodePort: nil),
            ServicePort(name: "c", protocol: .sctp, port: 82, targetPort: .number(9000)),
        ])
    }

    @Test func loadBalancerWithoutNodePorts() throws {
        let yaml = serviceYAML(spec: """
              type: LoadBalancer
              allocateLoadBalancerNodePorts: false
              clusterIP: 10.43.0.9
              ports: [{port: 443}]
            """, status: "  loadBalancer: {ingress: [{ip: 198.51.100.7}]}")
        let service = try #require(decodeService(yaml).service)
        #expect(!service.allocateLoadBalancerNodePorts)
        #expect(service.loadBalancerIngressIPs == [addr("198.51.100.7")])
    }

    // MARK: Errors, each with its exact path

    @Test func portErrors() {
        let yaml = serviceYAML(spec: """
              ports:
              - {name: http, port: 0}
              - {name: http, port: 70000, protocol: tcp}
              - {port: 80, targetPort: 65536}
              - {name: x, port: "80", targetPort: 8080.5}
            """)
        #expect(decodeService(yaml).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[0].port: 0 is not a valid port (1-65535)",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[1].name: duplicate port name \"http\" (also at spec.ports[0].name)",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[1].protocol: unsupported value \"tcp\": supported values are \"TCP\", \"UDP\", \"SCTP\"",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[1].port: 70000 is not a valid port (1-65535)",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[2].name: required value is missing (a service with several ports must name each)",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[2].targetPort: 65536 is not a valid port (1-65535)",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[3].port: expected an integer, got a string (\"80\")",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[3].targetPort: expected a port number or name, got a number (8080.5)",
        ])
    }

    @Test func duplicatePortsAndNodePortsPerProtocol() {
        let yaml = serviceYAML(spec: """
              type: NodePort
              ports:
              - {name: a, port: 53, protocol: UDP, nodePort: 30053}
              - {name: b, port: 53, protocol: TCP, nodePort: 30053}
              - {name: c, port: 53, protocol: UDP, nodePort: 30053}
            """)
        #expect(decodeService(yaml).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[2].port: duplicate port 53/UDP (also at spec.ports[0])",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[2].nodePort: duplicate node port 30053/UDP (also at spec.ports[0])",
        ])
    }

    @Test func invalidNamesAndTargetPortNames() {
        let yaml = serviceYAML(spec: """
              ports:
              - {name: Http, port: 80, targetPort: HTTP}
              - {name: ok, port: 81, targetPort: "8080"}
            """)
        #expect(decodeService(yaml).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[0].name: invalid value \"Http\": must consist of lowercase letters, digits and '-', and start and end with a letter or digit (e.g. 'my-name' or '123-abc')",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[0].targetPort: invalid value \"HTTP\": a target port is a number or a port name, which must contain only lowercase letters, digits and '-'; must contain at least one letter (a-z)",
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[1].targetPort: invalid value \"8080\": a target port is a number or a port name, which must contain at least one letter (a-z)",
        ])
        let digitFirst = "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n"
        #expect(decodeService(digitFirst).errors == [
            "lab/svc.yaml doc 1 (Service default/1web): metadata.name: invalid value \"1web\": a service name must start with a lowercase letter"
        ])
    }

    @Test func nodePortOnClusterIPServiceIsRefused() {
        #expect(decodeService(serviceYAML(spec: "  ports: [{port: 80, nodePort: 30080}]")).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.ports[0].nodePort: may not be used when type is \"ClusterIP\""
        ])
    }

    @Test func missingPortsAndSpec() {
        #expect(decodeService(serviceYAML(spec: "  selector: {app: web}")).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.ports: required value is missing (only headless and ExternalName services may have no ports)"
        ])
        #expect(decodeService("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n").errors == [
            "lab/svc.yaml doc 1 (Service default/web): spec: required value is missing"
        ])
        #expect(decodeService(serviceYAML(spec: "  ports: {port: 80}")).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.ports: expected a list, got a map"
        ])
    }

    @Test func enumeratedValuesAreCaseSensitive() {
        let yaml = serviceYAML(spec: """
              type: nodeport
              sessionAffinity: clientip
              externalTrafficPolicy: Global
              internalTrafficPolicy: local
              ports: [{port: 80}]
            """)
        #expect(decodeService(yaml).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.type: unsupported value \"nodeport\": supported values are \"ClusterIP\", \"NodePort\", \"LoadBalancer\", \"ExternalName\"",
            "lab/svc.yaml doc 1 (Service x/web): spec.sessionAffinity: unsupported value \"clientip\": supported values are \"None\", \"ClientIP\"",
            "lab/svc.yaml doc 1 (Service x/web): spec.externalTrafficPolicy: unsupported value \"Global\": supported values are \"Cluster\", \"Local\"",
            "lab/svc.yaml doc 1 (Service x/web): spec.internalTrafficPolicy: unsupported value \"local\": supported values are \"Cluster\", \"Local\"",
        ])
    }

    @Test func affinityTimeoutRangeAndConfigWithoutAffinity() {
        let tooLong = serviceYAML(spec: """
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}
              ports: [{port: 80}]
            """)
        #expect(decodeService(tooLong).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.sessionAffinityConfig.clientIP.timeoutSeconds: 86401 is not a valid timeout (1-86400 seconds)"
        ])
        let zero = serviceYAML(spec: "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n  ports: [{port: 80}]")
        #expect(decodeService(zero).errors.count == 1)
        let withoutAffinity = serviceYAML(spec: "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n  ports: [{port: 80}]")
        #expect(decodeService(withoutAffinity).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.sessionAffinityConfig: must not be set when sessionAffinity is \"None\""
        ])
        let maximum = serviceYAML(spec: "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86400}}\n  ports: [{port: 80}]")
        #expect(decodeService(maximum).service?.sessionAffinity == .clientIP(timeoutSeconds: 86400))
    }

    @Test func clusterIPErrors() {
        let errors = { (spec: String) in decodeService(serviceYAML(spec: spec + "\n  ports: [{port: 80}]")).errors }
        #expect(errors("  clusterIP: 10.43.0.300") == [
            "lab/svc.yaml doc 1 (Service x/web): spec.clusterIP: invalid value \"10.43.0.300\": must be an IP address or \"None\""
        ])
        #expect(errors("  clusterIP: 10.43.0.1\n  clusterIPs: [10.43.0.2]") == [
            "lab/svc.yaml doc 1 (Service x/web): spec.clusterIPs[0]: must equal spec.clusterIP (\"10.43.0.1\")"
        ])
        #expect(errors("  clusterIPs: [10.43.0.1, 10.43.0.2]") == [
            "lab/svc.yaml doc 1 (Service x/web): spec.clusterIPs[1]: at most one IPv4 address (also 10.43.0.1)"
        ])
        #expect(errors("  clusterIPs: [None, fd00::1]") == [
            "lab/svc.yaml doc 1 (Service x/web): spec.clusterIPs: \"None\" (headless) must be the only value"
        ])
        #expect(errors("  clusterIPs: [10.0.0.1, fd00::1, 10.0.0.2]") == [
            "lab/svc.yaml doc 1 (Service x/web): spec.clusterIPs: at most two addresses (one per IP family), got 3"
        ])
        #expect(errors("  type: NodePort\n  clusterIP: None") == [
            "lab/svc.yaml doc 1 (Service x/web): spec.clusterIP: a NodePort service cannot be headless (clusterIP: None)"
        ])
    }

    @Test func externalAndIngressIPErrors() {
        let yaml = serviceYAML(spec: """
              type: LoadBalancer
              externalIPs: [192.0.2.1, 192.0.2.1, nope, null]
              allocateLoadBalancerNodePorts: "false"
              ports: [{port: 80}]
            """, status: "  loadBalancer: {ingress: [{ip: 300.1.1.1}, {hostname: 5}]}")
        #expect(decodeService(yaml).errors == [
            "lab/svc.yaml doc 1 (Service x/web): spec.externalIPs[1]: duplicate value \"192.0.2.1\"",
            "lab/svc.yaml doc 1 (Service x/web): spec.externalIPs[2]: invalid value \"nope\": not an IP address",
            "lab/svc.yaml doc 1 (Service x/web): spec.externalIPs[3]: required value is missing",
            "lab/svc.yaml doc 1 (Service x/web): spec.allocateLoadBalancerNodePorts: expected a boolean, got a string (\"false\")",
            "lab/svc.yaml doc 1 (Service x/web): status.loadBalancer.ingress[0].ip: invalid value \"300.1.1.1\": not an IP address",
            "lab/svc.yaml doc 1 (Service x/web): status.loadBalancer.ingress[1].hostname: expected a string, got a number (5); quote the value to keep it a string",
        ])
    }

    @Test func selectorLabelsAreValidated() {
        let yaml = serviceYAML(spec: "  selector: {app: -web}\n  ports: [{port: 80}]")
        let errors = decodeService(yaml).errors
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("lab/svc.yaml doc 1 (Service x/web): spec.selector.app: invalid value \"-web\"") == true)
    }
}
