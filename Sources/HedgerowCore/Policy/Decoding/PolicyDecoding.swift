/// Decodes a policy object of any supported kind (the manifest decoder's entry point).
enum PolicyDecoding {
    static func decode(_ object: FieldMap, kind: PolicyKind, reader: inout FieldReader) -> PolicyObject? {
        switch kind {
        case .networkPolicy:
            NetworkPolicyDecoding.decode(object, reader: &reader).map(PolicyObject.kubernetes)
        case .ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy:
            CiliumPolicyDecoding.decode(object, kind: kind, reader: &reader).map(PolicyObject.cilium)
        }
    }
}
