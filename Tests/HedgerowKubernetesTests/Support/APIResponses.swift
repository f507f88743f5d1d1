/// Objects, lists and watch events shaped as kube-apiserver (v1.3x) sends them as JSON: list
/// items without kind/apiVersion (built-in kinds) or with them (custom resources), server-set
/// metadata (uid, resourceVersion, creationTimestamp, managedFields), status blocks, Status
/// objects for errors, and one newline-terminated event per line in watch streams.
enum APIResponses {
    // MARK: Objects (as they appear in watch events: with kind and apiVersion)

    static func namespace(_ name: String, rv: String, labels: [String: String] = [:]) -> String {
        let allLabels = labels.merging(["kubernetes.io/metadata.name": name]) { mine, _ in mine }
        return """
            {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"\(name)","uid":"\(uid(name))","resourceVersion":"\(rv)",\
            "creationTimestamp":"2026-11-20T10:00:00Z","labels":\(json(allLabels)),"managedFields":[{"manager":"kubectl-create",\
            "operation":"Update","apiVersion":"v1","time":"2026-11-20T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":\
            {"f:labels":{".":{},"f:kubernetes.io/metadata.name":{}}}}}]},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}
            """
    }

    static func pod(
        _ namespace: String, _ name: String, rv: String, ip: String?, labels: [String: String] = [:],
        node: String = "node-a", port: Int = 8080
    ) -> String {
        let ips = ip.map { #","podIP":"\#($0)","podIPs":[{"ip":"\#($0)"}]"# } ?? ""
        return """
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"\(name)","namespace":"\(namespace)","uid":"\(uid(namespace + name))",\
            "resourceVersion":"\(rv)","creationTimestamp":"2026-11-20T10:01:00Z","labels":\(json(labels)),"ownerReferences":\
            [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"\(name)-rs","uid":"\(uid(name + "rs"))","controller":true,\
            "blockOwnerDeletion":true}],"managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1",\
            "time":"2026-11-20T10:01:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{}}}}]},"spec":{"volumes":\
            [{"name":"kube-api-access-x1","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}}],\
            "defaultMode":420}}],"containers":[{"name":"app","image":"nginx:1.27","ports":[{"name":"http","containerPort":\(port),\
            "protocol":"TCP"}],"resources":{"requests":{"cpu":"10m"}},"terminationMessagePath":"/dev/termination-log",\
            "terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always",\
            "terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","nodeName":"\(node)",\
            "securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready",\
            "operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,\
            "preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True",\
            "lastProbeTime":null,"lastTransitionTime":"2026-11-20T10:01:05Z"}],"hostIP":"192.0.2.10","hostIPs":[{"ip":"192.0.2.10"}]\
            \(ips),"startTime":"2026-11-20T10:01:00Z","qosClass":"Burstable"}}
            """
    }

    static func networkPolicy(_ namespace: String, _ name: String, rv: String, port: String = "8080") -> String {
        """
        {"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"\(name)","namespace":"\(namespace)",\
        "uid":"\(uid(namespace + name))","resourceVersion":"\(rv)","generation":1,"creationTimestamp":"2026-11-20T10:02:00Z",\
        "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\\n"},"managedFields":[{"manager":"kubectl-client-side-apply",\
        "operation":"Update","apiVersion":"networking.k8s.io/v1","time":"2026-11-20T10:02:00Z","fieldsType":"FieldsV1",\
        "fieldsV1":{"f:spec":{"f:policyTypes":{}}}}]},"spec":{"podSelector":{"matchLabels":{"app":"api"}},"ingress":[{"from":\
        [{"podSelector":{"matchLabels":{"app":"web"}}}],"ports":[{"protocol":"TCP","port":\(port)}]}],"policyTypes":["Ingress"]}}
        """
    }

    static func ciliumNetworkPolicy(_ namespace: String, _ name: String, rv: String) -> String {
        """
        {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"\(name)","namespace":"\(namespace)",\
        "uid":"\(uid(namespace + name))","resourceVersion":"\(rv)","generation":1,"creationTimestamp":"2026-11-20T10:03:00Z"},\
        "spec":{"endpointSelector":{"matchLabels":{"app":"db"}},"ingress":[{"fromEndpoints":[{"matchLabels":{"app":"api"}}],\
        "toPorts":[{"ports":[{"port":"5432","protocol":"TCP"}]}]}]}}
        """
    }

    static func service(_ namespace: String, _ name: String, rv: String, clusterIP: String) -> String {
        """
        {"kind":"Service","apiVersion":"v1","metadata":{"name":"\(name)","namespace":"\(namespace)","uid":"\(uid(namespace + name))",\
        "resourceVersion":"\(rv)","creationTimestamp":"2026-11-20T10:04:00Z"},"spec":{"ports":[{"name":"http","protocol":"TCP",\
        "port":80,"targetPort":8080}],"selector":{"app":"api"},"clusterIP":"\(clusterIP)","clusterIPs":["\(clusterIP)"],\
        "type":"ClusterIP","sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",\
        "internalTrafficPolicy":"Cluster"},"status":{"loadBalancer":{}}}
        """
    }

    static func endpointSlice(_ namespace: String, _ name: String, service: String, rv: String, ip: String) -> String {
        """
        {"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"\(name)","generateName":"\(service)-",\
        "namespace":"\(namespace)","uid":"\(uid(namespace + name))","resourceVersion":"\(rv)","creationTimestamp":\
        "2026-11-20T10:04:01Z","labels":{"endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io",\
        "kubernetes.io/service-name":"\(service)"}},"addressType":"IPv4","endpoints":[{"addresses":["\(ip)"],"conditions":\
        {"ready":true,"serving":true,"terminating":false},"nodeName":"node-a","targetRef":{"kind":"Pod","namespace":\
        "\(namespace)","name":"api-1","uid":"\(uid("api-1"))"}}],"ports":[{"name":"http","protocol":"TCP","port":8080}]}
        """
    }

    // MARK: Lists and events

    /// A list page. Built-in kinds lose kind/apiVersion in items, as the API server sends them.
    static func list(
        _ kind: String, apiVersion: String, rv: String, items: [String], continueToken: String? = nil,
        customResource: Bool = false
    ) -> String {
        let stripped = customResource ? items : items.map(stripTypeMeta)
        var metadata = #"{"resourceVersion":"\#(rv)""#
        if let continueToken { metadata += #","continue":"\#(continueToken)","remainingItemCount":1"# }
        metadata += "}"
        return #"{"kind":"\#(kind)List","apiVersion":"\#(apiVersion)","metadata":\#(metadata),"items":[\#(stripped.joined(separator: ","))]}"#
    }

    static func event(_ type: String, _ object: String) -> String {
        #"{"type":"\#(type)","object":\#(object)}"# + "\n"
    }

    /// A BOOKMARK as the server sends it for pods: an empty object but for resourceVersion.
    static func bookmark(kind: String, apiVersion: String, rv: String) -> String {
        event(
            "BOOKMARK",
            #"{"kind":"\#(kind)","apiVersion":"\#(apiVersion)","metadata":{"resourceVersion":"\#(rv)","creationTimestamp":null},"spec":{"containers":null},"status":{}}"#
        )
    }

    static func expiredEvent(requested: String, current: String) -> String {
        event("ERROR", gone(requested: requested, current: current))
    }

    static func gone(requested: String, current: String) -> String {
        #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: \#(requested) (\#(current))","reason":"Expired","code":410}"#
    }

    static let notFound =
        #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}"#

    // MARK: Helpers

    private static func stripTypeMeta(_ object: String) -> String {
        var text = object
        for prefix in [#""kind":"#, #""apiVersion":"#] {
            guard let range = text.range(of: prefix) else { continue }
            let valueStart = range.upperBound
            guard let close = text[text.index(after: valueStart)...].firstIndex(of: "\"") else { continue }
            var end = text.index(after: close)
            if text[end] == "," { end = text.index(after: end) }
            text.removeSubrange(range.lowerBound..<end)
        }
        return text
    }

    private static func json(_ labels: [String: String]) -> String {
        "{" + labels.sorted { $0.key < $1.key }.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",") + "}"
    }

    private static func uid(_ seed: String) -> String {
        let hash = seed.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }
        let hex = String(hash, radix: 16).padding(toLength: 16, withPad: "0", startingAt: 0)
        return "\(hex.prefix(8))-\(hex.dropFirst(8).prefix(4))-4\(hex.dropFirst(12).prefix(3))-8000-\(hex)0000".lowercased()
    }
}
