import Foundation
import Testing

@testable import HedgerowCore

/// Every file of Fixtures/bad-policies is a malformed policy whose first line says which error
/// (message with its field path) it must produce: `# expect: <substring>`.
@Suite struct BadPolicyCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bad-policies")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }
            .sorted()
    }

    @Test func theCorpusIsLargeEnough() {
        #expect(Self.files.count >= 30)
    }

    @Test(arguments: files)
    func isRejectedWithItsFieldPath(file: String) throws {
        let contents = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
        let expectation = try #require(
            contents.split(separator: "\n").first.flatMap { line in
                line.hasPrefix("# expect: ") ? String(line.dropFirst("# expect: ".count)) : nil
            }, "\(file) must start with '# expect: <error substring>'")
        let name = "bad-policies/\(file)"
        let errors = ParsedManifest.parse(file: name, contents: contents).errors
        #expect(!errors.isEmpty, "\(file) was accepted")
        #expect(
            errors.contains { $0.description.contains(expectation) },
            "\(file): no error contains \"\(expectation)\"; got:\n\(errors.map(\.description).joined(separator: "\n"))")
        // Every error names the file and the document, and a field whenever it is about one.
        for error in errors {
            #expect(error.description.hasPrefix(name + " doc "))
            #expect(error.object != nil)
        }
        // All or nothing: a set of files with this one in it loads nothing.
        let good = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
        #expect(throws: ManifestLoadError.self) { try ClusterState.load(files: [("ns.yaml", good), (name, contents)]) }
    }
}
