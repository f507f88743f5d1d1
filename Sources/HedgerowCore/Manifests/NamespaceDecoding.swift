/// `v1 Namespace`: its name (a DNS-1123 label) and labels.
enum NamespaceDecoding {
    static func decode(_ object: FieldMap, reader: inout FieldReader) -> Namespace? {
        guard let metadata = MetadataDecoding.decode(object, nameRule: .dns1123Label, reader: &reader) else {
            return nil
        }
        return Namespace(name: metadata.name, labels: metadata.labels)
    }
}
