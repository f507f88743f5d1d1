/// Writes a `JSONValue` as compact JSON text.
enum JSONWriter {
    static func text(_ value: JSONValue) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(2048)
        write(value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output += "null".utf8
        case .bool(let bool): output += (bool ? "true" : "false").utf8
        case .integer(let integer): output += String(integer).utf8
        case .number(let number): output += (number.isFinite ? "\(number)" : "null").utf8
        case .string(let string): writeString(string, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let entries):
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, item) in entries {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(item, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += #"\""#.utf8
            case UInt8(ascii: "\\"): output += #"\\"#.utf8
            case 0x0A: output += #"\n"#.utf8
            case 0x0D: output += #"\r"#.utf8
            case 0x09: output += #"\t"#.utf8
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                output += "\\u".utf8
                output += (String(repeating: "0", count: 4 - hex.count) + hex).utf8
            default: output.append(byte)  // UTF-8 bytes of other characters pass through
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
