import Foundation
import Yams

/// YAML in, plain Foundation objects out, and JSON back (every YAML reader takes JSON).
enum YAMLData {
    static func load(_ text: String, source: String) throws -> Any {
        do {
            return try Yams.load(yaml: text) as Any
        } catch {
            throw ConformanceError("\(source): not valid YAML: \(error)")
        }
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
