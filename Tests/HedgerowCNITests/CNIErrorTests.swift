import Foundation
import Testing

@testable import HedgerowCNI

@Suite struct CNIErrorTests {
    @Test func wellKnownCodesHaveTheSpecsNumbers() {
        let codes: [(CNIErrorCode, Int)] = [
            (.incompatibleCNIVersion, 1), (.unsupportedField, 2), (.unknownContainer, 3), (.invalidEnvironmentVariables, 4),
            (.ioFailure, 5), (.decodingFailure, 6), (.invalidNetworkConfig, 7), (.tryAgainLater, 11), (.other(999), 999),
        ]
        for (code, number) in codes {
            #expect(code.rawValue == number)
            #expect(CNIErrorCode(rawValue: number) == code)
        }
        #expect(CNIErrorCode(rawValue: 50) == .other(50))
    }

    @Test func encodesTheSpecsShape() {
        let error = CNIError(.invalidEnvironmentVariables, "required env variables [CNI_NETNS] missing", cniVersion: "1.0.0")
        #expect(String(decoding: error.json.serialized(), as: UTF8.self)
            == #"{"cniVersion":"1.0.0","code":4,"msg":"required env variables [CNI_NETNS] missing"}"#)
        let detailed = CNIError(.incompatibleCNIVersion, "incompatible CNI versions", details: "config is \"9.9.9\"")
        #expect(detailed.json == .object(["code": .integer(1), "msg": .string("incompatible CNI versions"), "details": .string("config is \"9.9.9\"")]))
        #expect(detailed.description == "CNI error 1: incompatible CNI versions (config is \"9.9.9\")")
    }

    @Test func decodesWhatPtpPrints() throws {
        // ptp's output for a bad cniVersion, as printed on this machine (no cniVersion field).
        let printed = """
            {
                "code": 1,
                "msg": "incompatible CNI versions",
                "details": "config is \\"9.9.9\\", plugin supports [\\"0.1.0\\" \\"0.2.0\\" \\"0.3.0\\" \\"0.3.1\\" \\"0.4.0\\" \\"1.0.0\\"]"
            }
            """
        let error = try CNIError(json: CNISamples.json(printed))
        #expect(error.code == .incompatibleCNIVersion && error.message == "incompatible CNI versions" && error.cniVersion == nil)
        #expect(error.details?.hasPrefix("config is \"9.9.9\"") == true)
        let untyped = try CNIError(json: CNISamples.json(#"{"code": 999, "msg": "ARGS: invalid pair \"\""}"#))
        #expect(untyped.code == .other(999))
        #expect(throws: CNIError(.decodingFailure, "error output has no code")) { try CNIError(json: CNISamples.json(#"{"msg": "x"}"#)) }
    }

    @Test func versionInfo() throws {
        let info = CNIVersionInfo()
        #expect(String(decoding: info.json.serialized(), as: UTF8.self)
            == #"{"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0"]}"#)
        let ptp = try CNIVersionInfo(json: CNISamples.json(#"{"cniVersion":"1.0.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0"]}"#))
        #expect(ptp.supportedVersions.contains("1.0.0") && ptp.supportedVersions.count == 6)
    }

    @Test func versionComparisons() {
        #expect(CNIVersion.hasCheckAndDelResult("0.4.0") && CNIVersion.hasCheckAndDelResult("1.0.0") && CNIVersion.hasCheckAndDelResult("0.10.0"))
        #expect(!CNIVersion.hasCheckAndDelResult("0.3.1") && !CNIVersion.hasCheckAndDelResult("bogus") && !CNIVersion.hasCheckAndDelResult("1.0"))
    }
}
