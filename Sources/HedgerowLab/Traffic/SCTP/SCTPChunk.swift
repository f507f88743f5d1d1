/// The fixed part shared by INIT and INIT ACK (RFC 9260 sections 3.3.2 and 3.3.3).
public struct SCTPInitiation: Equatable, Sendable {
    /// The tag the peer must put in every packet it sends back; never zero.
    public var initiateTag: UInt32
    public var advertisedReceiverWindow: UInt32
    public var outboundStreams: UInt16
    public var inboundStreams: UInt16
    public var initialTSN: UInt32

    public init(initiateTag: UInt32, advertisedReceiverWindow: UInt32 = 65536, outboundStreams: UInt16 = 10,
                inboundStreams: UInt16 = 10, initialTSN: UInt32) {
        self.initiateTag = initiateTag
        self.advertisedReceiverWindow = advertisedReceiverWindow
        self.outboundStreams = outboundStreams
        self.inboundStreams = inboundStreams
        self.initialTSN = initialTSN
    }

    static let encodedLength = 16
}

/// The chunks the lab's SCTP exchange needs; any other chunk is kept as raw bytes.
public enum SCTPChunk: Equatable, Sendable {
    /// INIT (type 1): opens an association; optional parameters are not sent and ignored on receipt.
    case initiation(SCTPInitiation)
    /// INIT ACK (type 2): the answer, which must carry a State Cookie parameter (type 7).
    case initiationAck(SCTPInitiation, stateCookie: [UInt8])
    /// ABORT (type 6): what an SCTP stack answers when nothing serves the port. The T bit says
    /// the verification tag is the sender's own instead of the peer's; error causes are ignored.
    case abort(tagReflected: Bool)
    case other(type: UInt8, flags: UInt8, value: [UInt8])

    static let initType: UInt8 = 1, initAckType: UInt8 = 2, abortType: UInt8 = 6
    static let stateCookieParameter: UInt16 = 7

    func encode(into bytes: inout [UInt8]) {
        let (type, flags, value): (UInt8, UInt8, [UInt8])
        switch self {
        case let .initiation(fixed):
            (type, flags, value) = (Self.initType, 0, Self.encode(fixed))
        case let .initiationAck(fixed, cookie):
            var parameters = Self.encode(fixed)
            parameters.appendBigEndian(Self.stateCookieParameter)
            parameters.appendBigEndian(UInt16(4 + cookie.count))
            parameters += cookie
            (type, flags, value) = (Self.initAckType, 0, parameters)
        case let .abort(tagReflected):
            (type, flags, value) = (Self.abortType, tagReflected ? 1 : 0, [])
        case let .other(otherType, otherFlags, otherValue):
            (type, flags, value) = (otherType, otherFlags, otherValue)
        }
        bytes.append(type)
        bytes.append(flags)
        bytes.appendBigEndian(UInt16(4 + value.count))  // the length excludes the padding
        bytes += value
        bytes.padToFourBytes()
    }

    private static func encode(_ fixed: SCTPInitiation) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(fixed.initiateTag)
        bytes.appendBigEndian(fixed.advertisedReceiverWindow)
        bytes.appendBigEndian(fixed.outboundStreams)
        bytes.appendBigEndian(fixed.inboundStreams)
        bytes.appendBigEndian(fixed.initialTSN)
        return bytes
    }

    /// Reads one chunk (and its padding) at the reader's position.
    init(decoding reader: inout ByteReader, index: Int) throws {
        let name = "SCTP chunk \(index)"
        let type = try reader.uint8("\(name) type")
        let flags = try reader.uint8("\(name) flags")
        let length = Int(try reader.uint16("\(name) length"))
        guard length >= 4 else { throw PacketDecodingError("SCTP packet: \(name) length \(length) is below the 4-byte chunk header") }
        let value = try reader.bytes(length - 4, "\(name) value")
        reader.skip((4 - length % 4) % 4)
        switch type {
        case Self.initType:
            self = .initiation(try Self.decodeInitiation(value, "INIT chunk"))
        case Self.initAckType:
            let fixed = try Self.decodeInitiation(value, "INIT ACK chunk")
            guard let cookie = try Self.parameter(Self.stateCookieParameter, in: Array(value.dropFirst(SCTPInitiation.encodedLength))) else {
                throw PacketDecodingError("INIT ACK chunk: no State Cookie parameter (type 7), which RFC 9260 requires")
            }
            self = .initiationAck(fixed, stateCookie: cookie)
        case Self.abortType:
            self = .abort(tagReflected: flags & 1 == 1)
        default:
            self = .other(type: type, flags: flags, value: value)
        }
    }

    private static func decodeInitiation(_ value: [UInt8], _ what: String) throws -> SCTPInitiation {
        var reader = ByteReader(value, what: what)
        let fixed = SCTPInitiation(
            initiateTag: try reader.uint32("initiate tag"), advertisedReceiverWindow: try reader.uint32("a_rwnd"),
            outboundStreams: try reader.uint16("outbound streams"), inboundStreams: try reader.uint16("inbound streams"),
            initialTSN: try reader.uint32("initial TSN"))
        guard fixed.initiateTag != 0 else { throw PacketDecodingError("\(what): initiate tag 0 (must be nonzero)") }
        return fixed
    }

    /// The value of the first parameter of `type` in a list of type-length-value parameters.
    private static func parameter(_ type: UInt16, in bytes: [UInt8]) throws -> [UInt8]? {
        var reader = ByteReader(bytes, what: "INIT ACK parameters")
        while reader.remaining > 0 {
            let found = try reader.uint16("parameter type")
            let length = Int(try reader.uint16("parameter length"))
            guard length >= 4 else { throw PacketDecodingError("INIT ACK parameters: parameter \(found) length \(length) is below 4") }
            let value = try reader.bytes(length - 4, "parameter \(found) value")
            if found == type { return value }
            reader.skip((4 - length % 4) % 4)
        }
        return nil
    }
}
