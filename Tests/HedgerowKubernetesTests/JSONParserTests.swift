import Testing

@testable import HedgerowKubernetes

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a":[1,-2,3.5,1e3,true,false,null],"b":{"c":"d"},"e":[],"f":{}} "#)
        #expect(value == .object([
            "a": .array([.integer(1), .integer(-2), .number(3.5), .number(1000), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d")]), "e": .array([]), "f": .object([:]),
        ]))
    }

    @Test func decodesEscapesSurrogatePairsAndUTF8() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00 é""#) == .string("a\"b\\c/d\n\té😀 é"))
        #expect(try parse(#""\ud800x""#) == .string("\u{FFFD}x"), "a lone surrogate is replaced, as Go does")
    }

    @Test(arguments: [
        "", "{", #"{"a":1,}"#, "[1 2]", #""unterminated"#, "01x", "-", "1.", "tru", #"{"a" 1}"#, "[1]]",
        "\"tab\there\"", String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ])
    func refusesInvalidJSON(_ text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try parse(text) }
    }

    @Test func writerOutputReadsBackToTheSameValue() throws {
        let value = JSONValue.object([
            "quote\"key": .string("line\nbreak \u{01} é 😀 a/b"), "n": .array([.integer(-7), .number(0.25), .null, .bool(true)]),
        ])
        #expect(try parse(JSONWriter.text(value)) == value)
    }
}
