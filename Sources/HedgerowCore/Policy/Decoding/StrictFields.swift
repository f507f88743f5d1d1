/// Strict reading for policies: every field must be known, as the API server's strict field
/// validation demands. A misspelt field (`ingres`) must never silently become "no rules", which
/// for a policy means deny-all (or allow-all).
extension FieldReader {
    /// Reports each key of `map` that is not in `known`. Keys of `unsupported` are fields of the
    /// real API that Hedgerow does not enforce yet: they are refused with their explanation
    /// rather than ignored.
    mutating func rejectUnknownFields(_ map: FieldMap, known: Set<String>, unsupported: [String: String] = [:]) {
        for key in map.entries.keys.sorted() where !known.contains(key) {
            if let reason = unsupported[key] {
                report(map[key].path, "not supported yet: \(reason)")
                continue
            }
            var message = "unknown field"
            if let suggestion = Self.closest(to: key, among: known.union(unsupported.keys)) {
                message += " (did you mean \"\(suggestion)\"?)"
            }
            report(map[key].path, message)
        }
    }

    /// Items of a list that must all be maps; a null or scalar item is reported.
    mutating func mapItems(_ field: Field) -> [FieldMap] {
        (list(field) ?? []).compactMap { item in
            if item.value == nil || item.value == .null {
                report(item.path, "expected a map, got null")
                return nil
            }
            return map(item)
        }
    }

    /// Items of a list that must all be strings.
    mutating func stringItems(_ field: Field) -> [(value: String, path: FieldPath)] {
        (list(field) ?? []).compactMap { item in
            if item.value == nil || item.value == .null {
                report(item.path, "expected a string, got null")
                return nil
            }
            return string(item).map { ($0, item.path) }
        }
    }

    /// The known name nearest to a misspelling (edit distance at most 2, or equal ignoring case).
    private static func closest(to key: String, among known: Set<String>) -> String? {
        let candidates = known.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }
            .filter { $0.1 <= min(2, max(1, $0.0.count / 3)) }
        return candidates.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`: typos such as
    /// `form` for `from` are one edit.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                table[i][j] = Swift.min(
                    table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = Swift.min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
