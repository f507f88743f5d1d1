import Foundation
import Testing

@testable import HedgerowCNI

@Suite struct CNINetworkConfigTests {
    static func stdin(_ text: String) throws(CNIError) -> CNINetworkConfig {
        try CNINetworkConfig(stdin: Data(text.utf8))
    }

    @Test func decodesAChainedPluginsConfig() throws {
        let config = try Self.stdin("""
            {"cniVersion": "1.0.0", "name": "hedgerow-lab", "type": "hedgerow-cni",
             "agentSocket": "/run/hedgerow/cni.sock", "logLevel": 2,
             "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]},
             "prevResult": \(CNISamples.ptpResult)}
            """)
        #expect(config.cniVersion == "1.0.0" && config.name == "hedgerow-lab" && config.type == "hedgerow-cni")
        #expect(config.pluginFields == ["agentSocket": .string("/run/hedgerow/cni.sock"), "logLevel": .integer(2)])
        #expect(config.runtimeConfig["portMappings"] != nil)
        let prevResult = try #require(config.prevResult)
        #expect(prevResult == (try CNIResult(jsonData: CNISamples.data(CNISamples.ptpResult))))
        #expect(prevResult.podIPs(netns: CNISamples.podNetns, ifName: "eth0").map(\.ip) == ["10.250.77.2"])
    }

    @Test func pluginSpecificConfigDecodesIntoTheCallersType() throws {
        struct HedgerowConfig: Decodable {
            var agentSocket: String
            var logLevel: Int?
        }
        let config = try Self.stdin(#"{"cniVersion": "1.0.0", "name": "n", "type": "hedgerow-cni", "agentSocket": "/s"}"#)
        #expect(try config.decodePluginConfig(HedgerowConfig.self).agentSocket == "/s")
        do {
            let wrong = try Self.stdin(#"{"cniVersion": "1.0.0", "name": "n", "type": "hedgerow-cni", "agentSocket": 5}"#)
            _ = try wrong.decodePluginConfig(HedgerowConfig.self)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidNetworkConfig && error.message == "invalid hedgerow-cni configuration")
        }
    }

    @Test func roundTripsThroughJSON() throws {
        let text = #"{"cniVersion":"0.4.0","name":"n","type":"t","ipam":{"type":"host-local"},"prevResult":\#(CNISamples.result040)}"#
        let config = try Self.stdin(text)
        #expect(config.json == (try CNISamples.json(text)))
        #expect(config.prevResult?.ips.first?.otherFields == ["version": .string("4")])
    }

    @Test func invalidJSONIsCode6() {
        for text in ["{bad", "", "[1,"] {
            do {
                _ = try Self.stdin(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.code == .decodingFailure)
                #expect(error.message == "failed to decode network configuration: invalid JSON")
            }
        }
    }

    @Test func wrongTypesAreCode6WithThePath() {
        #expect(throws: CNIError(.decodingFailure, "name: expected a string, got a number")) {
            try Self.stdin(#"{"cniVersion": "1.0.0", "name": 1, "type": "t"}"#)
        }
        #expect(throws: CNIError(.decodingFailure, "prevResult.ips[0].address: required field is missing")) {
            try Self.stdin(#"{"cniVersion": "1.0.0", "name": "n", "type": "t", "prevResult": {"cniVersion": "1.0.0", "ips": [{}]}}"#)
        }
        #expect(throws: CNIError(.decodingFailure, "runtimeConfig: expected an object, got an array")) {
            try Self.stdin(#"{"cniVersion": "1.0.0", "name": "n", "type": "t", "runtimeConfig": []}"#)
        }
        #expect(throws: CNIError(.decodingFailure, "expected an object, got a string")) { try Self.stdin(#""text""#) }
    }

    @Test func unsupportedVersionsAreCode1() {
        let supported = #"plugin supports ["0.3.0" "0.3.1" "0.4.0" "1.0.0"]"#
        #expect(throws: CNIError(.incompatibleCNIVersion, "incompatible CNI versions", details: "config is \"9.9.9\", \(supported)")) {
            try Self.stdin(#"{"cniVersion": "9.9.9", "name": "n", "type": "t"}"#)
        }
        #expect(throws: CNIError(.incompatibleCNIVersion, "incompatible CNI versions", details: "config is \"0.2.0\", \(supported)")) {
            try Self.stdin(#"{"cniVersion": "0.2.0", "name": "n", "type": "t"}"#)
        }
        #expect(throws: CNIError(.incompatibleCNIVersion, "incompatible CNI versions", details: "config is missing (meaning 0.1.0), \(supported)")) {
            try Self.stdin(#"{"name": "n", "type": "t"}"#)
        }
    }

    @Test func everySupportedVersionDecodes() throws {
        for version in CNIVersion.supported {
            #expect(try Self.stdin(#"{"cniVersion": "\#(version)", "name": "n", "type": "t"}"#).cniVersion == version)
        }
    }

    @Test func nameAndTypeAreCode7() {
        #expect(throws: CNIError(
            .invalidNetworkConfig, "missing network name",
            details: "a network name starts with a letter or digit, followed by letters, digits, '_', '.' or '-'")) {
            try Self.stdin(#"{"cniVersion": "1.0.0", "type": "t"}"#)
        }
        do {
            _ = try Self.stdin(#"{"cniVersion": "1.0.0", "name": "-bad name", "type": "t"}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidNetworkConfig && error.message == "invalid network name \"-bad name\"")
        }
        #expect(throws: CNIError(.invalidNetworkConfig, "missing plugin type")) {
            try Self.stdin(#"{"cniVersion": "1.0.0", "name": "n"}"#)
        }
    }

    @Test func checkRequiresVersionAndPrevResult() throws {
        let old = try Self.stdin(#"{"cniVersion": "0.3.1", "name": "n", "type": "t"}"#)
        #expect(throws: CNIError(.incompatibleCNIVersion, "config version does not allow CHECK", details: "cniVersion is 0.3.1")) {
            try old.validate(for: .check)
        }
        try old.validate(for: .add)
        let noResult = try Self.stdin(#"{"cniVersion": "1.0.0", "name": "n", "type": "t"}"#)
        #expect(throws: CNIError(.invalidNetworkConfig, "CHECK requires prevResult (the result of the ADD being checked)")) {
            try noResult.validate(for: .check)
        }
        let good = try Self.stdin(#"{"cniVersion": "1.0.0", "name": "n", "type": "t", "prevResult": \#(CNISamples.ptpResult)}"#)
        try good.validate(for: .check)
    }
}
