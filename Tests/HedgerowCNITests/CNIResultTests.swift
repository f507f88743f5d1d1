import Foundation
import Testing

@testable import HedgerowCNI

@Suite struct CNIResultTests {
    @Test func decodesPtpHostLocalResult() throws {
        let result = try CNIResult(jsonData: CNISamples.data(CNISamples.ptpResult))
        #expect(result.cniVersion == "1.0.0")
        #expect(result.interfaces == [
            .init(name: "veth83de5923", mac: "c2:e2:d6:47:c9:ce"),
            .init(name: "eth0", mac: "da:dd:14:2b:8a:2c", sandbox: CNISamples.podNetns),
        ])
        #expect(result.ips == [.init(address: "10.250.77.2/24", gateway: "10.250.77.1", interface: 1)])
        #expect(result.routes == [.init(dst: "0.0.0.0/0")])
        #expect(result.dns == CNIResult.DNS())
    }

    @Test func helpersFindHostAndContainerSides() throws {
        let result = try CNIResult(jsonData: CNISamples.data(CNISamples.ptpResult))
        #expect(result.hostInterfaces.map(\.name) == ["veth83de5923"])
        #expect(result.containerInterfaceIndex(netns: CNISamples.podNetns, ifName: "eth0") == 1)
        #expect(result.containerInterface(netns: "/run/netns/hcore-pod-5583", ifName: "eth0")?.mac == "da:dd:14:2b:8a:2c")
        #expect(result.containerInterface(netns: CNISamples.podNetns, ifName: "eth1") == nil)
        #expect(result.containerInterface(netns: "/var/run/netns/other", ifName: "eth0") == nil)
        let ips = result.podIPs(netns: CNISamples.podNetns, ifName: "eth0")
        #expect(ips.map(\.ip) == ["10.250.77.2"])
        #expect(ips.map(\.prefixLength) == [24])
        #expect(result.podIPs(netns: "/var/run/netns/other", ifName: "eth0").isEmpty)
    }

    @Test func ipamStyleResultGivesAllAddresses() throws {
        let result = try CNIResult(json: CNISamples.json(#"{"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.9/16"}]}"#))
        #expect(result.podIPs(netns: "/x", ifName: "eth0").map(\.address) == ["10.0.0.9/16"])
        #expect(result.interfaces.isEmpty && result.routes.isEmpty && result.dns == nil)
    }

    @Test func roundTripIsTheSameJSON() throws {
        for sample in [CNISamples.ptpResult, CNISamples.resultWithExtras, CNISamples.result040] {
            let original = try CNISamples.json(sample)
            let result = try CNIResult(json: original)
            #expect(result.json == original)
            #expect(try CNIResult(jsonData: result.jsonData()) == result)
            #expect(try JSONValue.parse(result.jsonData(pretty: true)) == original)
        }
    }

    @Test func unknownFieldsAreKeptWhereTheyWere() throws {
        let result = try CNIResult(json: CNISamples.json(CNISamples.resultWithExtras))
        #expect(result.interfaces[0].otherFields == ["mtu": .integer(1450)])
        #expect(result.interfaces[1].otherFields == ["socketPath": .string("/tmp/s"), "pciID": .string("0000:00:01.0")])
        #expect(result.ips[1].otherFields == ["version": .string("6")])
        #expect(result.routes[0].otherFields == ["mtu": .integer(1400), "priority": .integer(10), "table": .integer(100)])
        #expect(result.dns?.nameservers == ["10.1.0.10"] && result.dns?.otherFields == ["extra": .bool(true)])
        #expect(result.otherFields["futureField"] == .object(["nested": .array([.integer(1), .number(2.5), .null, .string("x")])]))
    }

    @Test func serializationIsCompactSortedAndKeepsSlashes() throws {
        let result = CNIResult(interfaces: [.init(name: "eth0", sandbox: "/run/netns/p")])
        #expect(String(decoding: result.jsonData(), as: UTF8.self)
            == #"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/run/netns/p"}]}"#)
    }

    @Test func decodeErrorsNameTheField() {
        let cases: [(String, String)] = [
            (#"{"interfaces": []}"#, "cniVersion: required field is missing"),
            (#"{"cniVersion": "1.0.0", "ips": [{"gateway": "10.0.0.1"}]}"#, "ips[0].address: required field is missing"),
            (#"{"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.2"}]}"#, "ips[0].address: \"10.0.0.2\" is not an address with a prefix length (e.g. \"10.1.0.2/24\")"),
            (#"{"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.2/24", "interface": "1"}]}"#, "ips[0].interface: expected an integer, got a string"),
            (#"{"cniVersion": "1.0.0", "interfaces": [{"mac": "x"}]}"#, "interfaces[0].name: required field is missing"),
            (#"{"cniVersion": "1.0.0", "interfaces": {}}"#, "interfaces: expected an array, got an object"),
            (#"{"cniVersion": "1.0.0", "routes": [{"dst": "default"}]}"#, "routes[0].dst: \"default\" is not an address with a prefix length (e.g. \"10.1.0.2/24\")"),
            (#"{"cniVersion": "1.0.0", "dns": {"nameservers": [1]}}"#, "dns.nameservers[0]: expected a string, got a number"),
            (#"[]"#, "expected an object, got an array"),
        ]
        for (json, message) in cases {
            #expect(throws: CNIError(.decodingFailure, message), "\(json)") { try CNIResult(json: CNISamples.json(json)) }
        }
    }

    @Test func invalidJSONIsCode6() {
        do {
            _ = try CNIResult(jsonData: Data("{".utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.code == .decodingFailure && error.message == "failed to decode CNI result: invalid JSON")
        }
    }
}
