/// Reads and validates a label selector as the API server does (`ValidateLabelSelector`):
/// keys are label keys, values label values, operators one of In/NotIn/Exists/DoesNotExist
/// (case-sensitive), In/NotIn need values and Exists/DoesNotExist must have none.
enum LabelSelectorDecoding {
    enum Flavor {
        case kubernetes
        /// Cilium's selectors: keys may carry a label source, `k8s:` or `any:`, which is dropped
        /// (every label Hedgerow knows comes from Kubernetes, so both mean the same).
        case cilium
    }

    static let acceptedSources: Set<String> = ["k8s", "any"]

    /// Nil when the field is absent or null, or (with issues reported) invalid.
    static func decode(_ field: Field, flavor: Flavor, reader: inout FieldReader) -> KubernetesLabelSelector? {
        guard let selector = reader.map(field) else { return nil }
        let issueCount = reader.issues.count
        reader.rejectUnknownFields(selector, known: ["matchLabels", "matchExpressions"])

        var requirements: [LabelSelectorRequirement] = []
        if let matchLabels = reader.map(selector["matchLabels"]) {
            for rawKey in matchLabels.entries.keys.sorted() {
                let path = matchLabels[rawKey].path
                guard let value = reader.string(matchLabels[rawKey]) else {
                    if matchLabels[rawKey].value == .null { reader.report(path, "expected a string, got null") }
                    continue
                }
                guard let key = decodeKey(rawKey, flavor: flavor, at: path, reader: &reader) else { continue }
                MetadataDecoding.reportInvalid(
                    value, problems: KubernetesValidation.labelValueProblems(value), at: path, reader: &reader)
                requirements.append(LabelSelectorRequirement(key: key, operator: .in, values: [value]))
            }
        }
        for expression in reader.mapItems(selector["matchExpressions"]) {
            if let requirement = decodeExpression(expression, flavor: flavor, reader: &reader) {
                requirements.append(requirement)
            }
        }
        guard reader.issues.count == issueCount else { return nil }
        return KubernetesLabelSelector(requirements: requirements)
    }

    private static func decodeExpression(_ expression: FieldMap, flavor: Flavor, reader: inout FieldReader)
        -> LabelSelectorRequirement?
    {
        reader.rejectUnknownFields(expression, known: ["key", "operator", "values"])
        let rawKey = reader.requiredString(expression["key"])
        let key = rawKey.flatMap { decodeKey($0, flavor: flavor, at: expression["key"].path, reader: &reader) }
        let operatorText = reader.requiredString(expression["operator"])
        let values = reader.stringItems(expression["values"])
        for (value, path) in values {
            MetadataDecoding.reportInvalid(
                value, problems: KubernetesValidation.labelValueProblems(value), at: path, reader: &reader)
        }
        guard let operatorText else { return nil }
        guard let op = LabelSelectorRequirement.Operator(rawValue: operatorText) else {
            let supported = LabelSelectorRequirement.Operator.allCases.map { "\"\($0.rawValue)\"" }.joined(
                separator: ", ")
            reader.report(
                expression["operator"].path, "unsupported value \"\(operatorText)\": supported values are \(supported)")
            return nil
        }
        let needsValues = op == .in || op == .notIn
        if needsValues && values.isEmpty {
            reader.report(expression["values"].path, "must be specified when operator is \(op.rawValue)")
            return nil
        }
        if !needsValues && !values.isEmpty {
            reader.report(expression["values"].path, "may not be specified when operator is \(op.rawValue)")
            return nil
        }
        guard let key else { return nil }
        return LabelSelectorRequirement(key: key, operator: op, values: values.map(\.value))
    }

    /// A label key, without its Cilium source prefix.
    private static func decodeKey(_ rawKey: String, flavor: Flavor, at path: FieldPath, reader: inout FieldReader)
        -> String?
    {
        var key = rawKey
        if flavor == .cilium, let colon = rawKey.firstIndex(of: ":") {
            let source = String(rawKey[..<colon])
            guard acceptedSources.contains(source) else {
                var message =
                    "label source \"\(source):\" in key \"\(rawKey)\" is not supported; use \"k8s:\", \"any:\" or no prefix"
                if source == "reserved" { message += " (select reserved identities with fromEntities/toEntities)" }
                reader.report(path, message)
                return nil
            }
            key = String(rawKey[rawKey.index(after: colon)...])
        }
        let problems = KubernetesValidation.labelKeyProblems(key)
        guard problems.isEmpty else {
            reader.report(path, "invalid label key \"\(rawKey)\": " + problems.joined(separator: "; "))
            return nil
        }
        return key
    }
}
