import Foundation
import Testing

@testable import HedgerowCNI

@Suite struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try CNISamples.json(#"{"b": true, "f": false, "n": null, "i": 1, "z": 0, "neg": -7, "d": 2.5, "s": "x", "a": [1, "y"], "o": {}}"#)
        #expect(value == .object([
            "b": .bool(true), "f": .bool(false), "n": .null, "i": .integer(1), "z": .integer(0), "neg": .integer(-7),
            "d": .number(2.5), "s": .string("x"), "a": .array([.integer(1), .string("y")]), "o": .object([:]),
        ]))
    }

    @Test func numbersAndBooleansStayDistinct() throws {
        // 1 must not become true (nor true become 1): a plugin's "interface": 1 is an index.
        #expect(try CNISamples.json("[1, true, 0, false]") == .array([.integer(1), .bool(true), .integer(0), .bool(false)]))
    }

    @Test func serializesSortedCompactWithSlashes() {
        let value = JSONValue.object(["z": .integer(1), "a": .string("/run/netns/p"), "m": .array([.null, .bool(false)])])
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"a":"/run/netns/p","m":[null,false],"z":1}"#)
        #expect(value.description == #"{"a":"/run/netns/p","m":[null,false],"z":1}"#)
    }

    @Test func nonFiniteNumbersSerializeAsNull() {
        #expect(String(decoding: JSONValue.array([.number(.infinity), .number(.nan)]).serialized(), as: UTF8.self) == "[null,null]")
    }

    @Test func roundTripsArbitraryJSON() throws {
        let text = #"{"deep":{"list":[{"k":[1,2,{"x":null}]},"s",-1.25e-3],"unicode":"héllo \u00e9 ✓","escaped":"a\"b\\c\nd"}}"#
        let value = try CNISamples.json(text)
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
    }

    @Test func rejectsMalformedJSON() {
        // Not listed: "[1,]". Foundation's parser tolerates a trailing comma (Go's does not).
        for text in ["", "{", "{\"a\":}", "{'a': 1}", "nul", "[1 2]"] {
            #expect(throws: (any Error).self, "\(text)") { try JSONValue.parse(Data(text.utf8)) }
        }
    }
}
