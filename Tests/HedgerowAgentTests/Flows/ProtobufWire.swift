/// A minimal protobuf wire-format reader, independent of the generated code, for checking field
/// numbers on the bytes the server sends (what a Hubble client generated from Hubble's own
/// .proto would decode).
struct WireMessage {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    private(set) var fields: [(number: Int, value: Value)] = []

    init(_ bytes: [UInt8]) throws {
        var index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count else { throw WireError.truncated }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while index < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 1:
                guard index + 8 <= bytes.count else { throw WireError.truncated }
                let value = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[index + $1]) << (8 * UInt64($1)) }
                index += 8
                fields.append((number, .fixed64(value)))
            case 2:
                let length = Int(try varint())
                guard index + length <= bytes.count else { throw WireError.truncated }
                fields.append((number, .bytes(Array(bytes[index..<index + length]))))
                index += length
            case 5:
                guard index + 4 <= bytes.count else { throw WireError.truncated }
                let value = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index + $1]) << (8 * UInt32($1)) }
                index += 4
                fields.append((number, .fixed32(value)))
            default: throw WireError.badWireType
            }
        }
    }

    var numbers: Set<Int> { Set(fields.map(\.number)) }

    func varint(_ number: Int) -> UInt64? {
        for field in fields where field.number == number { if case .varint(let v) = field.value { return v } }
        return nil
    }

    func string(_ number: Int) -> String? {
        bytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    func strings(_ number: Int) -> [String] {
        fields.compactMap { field in
            guard field.number == number, case .bytes(let b) = field.value else { return nil }
            return String(decoding: b, as: UTF8.self)
        }
    }

    func bytes(_ number: Int) -> [UInt8]? {
        for field in fields where field.number == number { if case .bytes(let b) = field.value { return b } }
        return nil
    }

    func message(_ number: Int) throws -> WireMessage? {
        try bytes(number).map(WireMessage.init)
    }

    func double(_ number: Int) -> Double? {
        for field in fields where field.number == number { if case .fixed64(let v) = field.value { return Double(bitPattern: v) } }
        return nil
    }
}

enum WireError: Error {
    case truncated
    case badWireType
}
