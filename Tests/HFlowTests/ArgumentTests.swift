import ArgumentParser
import HedgerowAPI
import HedgerowCore
import SwiftProtobuf
import Testing

@testable import hflow

@Suite struct FilterArgumentTests {
    private func lists(_ arguments: String) throws -> FilterLists {
        try FilterLists(arguments: arguments.split(separator: " ").map(String.init))
    }

    @Test func aBothEndsFlagBecomesASourceAndADestinationFilter() throws {
        let result = try lists("observe --pod x/a --verdict DROPPED")
        #expect(result.whitelist == [
            .with {
                $0.sourcePod = ["x/a"]
                $0.verdict = [.dropped]
            },
            .with {
                $0.destinationPod = ["x/a"]
                $0.verdict = [.dropped]
            },
        ])
        #expect(result.blacklist.isEmpty)
    }

    @Test func fromAndToFlagsMakeOneFilter() throws {
        let result = try lists("observe --from-pod x/ --to-port 80 --to-port 443 --protocol TCP --tcp-flags syn,ack")
        #expect(result.whitelist == [.with {
            $0.sourcePod = ["x/"]
            $0.destinationPort = ["80", "443"]
            $0.`protocol` = ["tcp"]
            $0.tcpFlags = [.with {
                $0.syn = true
                $0.ack = true
            }]
        }])
    }

    @Test func namespacesQualifyPodsOrSelectWholeNamespaces() throws {
        #expect(try lists("observe -n x").whitelist == [.with { $0.sourcePod = ["x/"] }, .with { $0.destinationPod = ["x/"] }])
        #expect(try lists("observe -n x --pod a").whitelist == [.with { $0.sourcePod = ["x/a"] }, .with { $0.destinationPod = ["x/a"] }])
        #expect(try lists("observe -A").whitelist == [.with { $0.sourcePod = ["/"] }, .with { $0.destinationPod = ["/"] }])
        #expect(try lists("observe --to-namespace y --from-label app=a").whitelist == [.with {
            $0.destinationPod = ["y/"]
            $0.sourceLabel = ["app=a"]
        }])
    }

    @Test func notNegatesOnlyTheNextFilter() throws {
        let result = try lists("observe --last 5 --not --verdict FORWARDED -o json --protocol udp --not --ip 10.0.0.0/8")
        #expect(result.whitelist == [.with { $0.`protocol` = ["udp"] }])
        #expect(result.blacklist == [
            .with {
                $0.verdict = [.forwarded]
                $0.sourceIp = ["10.0.0.0/8"]
            },
            .with {
                $0.verdict = [.forwarded]
                $0.destinationIp = ["10.0.0.0/8"]
            },
        ])
    }

    @Test func shortFlagsCombineAndTakeValues() throws {
        #expect(try lists("observe -fA").whitelist == [.with { $0.sourcePod = ["/"] }, .with { $0.destinationPod = ["/"] }])
        #expect(try lists("observe -t trace:to-endpoint --identity=world").whitelist.first?.eventType
            == [.with {
                $0.type = 4
                $0.matchSubType = true
                $0.subType = 0
            }])
        #expect(try lists("observe --identity=world").whitelist.first?.sourceIdentity == [2])
    }

    @Test func badValuesAndCombinationsAreUsageErrors() {
        let cases: [(String, String)] = [
            ("observe --verdict FOO", "invalid --verdict value \"FOO\""),
            ("observe --port 70000", "invalid --port value \"70000\""),
            ("observe --ip 10.0.0.999", "invalid --ip value"),
            ("observe --label app=a,,", "invalid --label value"),
            ("observe --tcp-flags syn,xmas", "unknown TCP flag"),
            ("observe --identity martians", "invalid --identity value"),
            ("observe --protocol gopher", "unknown protocol"),
            ("observe --type bogus", "unknown event type"),
            ("observe --traffic-direction sideways", "expected ingress or egress"),
            ("observe --to-pod y/b -n x", "cannot be combined"),
            ("observe --ip 10.0.0.1 --pod a", "cannot be combined"),
            ("observe --not --not --pod a", "consecutive --not"),
            ("observe --pod a --not", "trailing --not"),
            ("observe --not -o json", "--not must be followed by a filter flag"),
        ]
        for (arguments, message) in cases {
            #expect {
                _ = try lists(arguments)
            } throws: { error in
                (error as? UsageError)?.description.contains(message) == true
            }
        }
    }
}

@Suite struct RequestTests {
    let now = FlowTimestamp(seconds: 1_732_655_045)

    private func request(_ arguments: String) throws -> Observer_GetFlowsRequest {
        let words = arguments.split(separator: " ").map(String.init)
        let command = try HFlow.parseAsRoot(words) as! ObserveCommand
        return try command.makeRequest(arguments: words, now: now)
    }

    @Test func selectors() throws {
        #expect(try request("observe").number == 20)
        #expect(try request("observe --last 5").number == 5)
        #expect(try request("observe --all").number == .max)
        let first = try request("observe --first 3")
        #expect(first.first && first.number == 3)
        let follow = try request("observe -f")
        #expect(follow.follow && follow.number == 0)
        #expect(try request("observe -f --last 2").number == 2)
    }

    @Test func sinceAndUntil() throws {
        let relative = try request("observe --since 5m")
        #expect(relative.since.seconds == now.seconds - 300 && relative.number == 0)
        let absolute = try request("observe --since 2024-11-26T21:00:00Z --until 2024-11-26T21:04:00.5+01:00")
        #expect(absolute.since.seconds == 1_732_654_800)
        #expect(absolute.until.seconds == 1_732_654_800 + 240 - 3600 && absolute.until.nanos == 500_000_000)
        #expect(try request("observe --since 1h30m").since.seconds == now.seconds - 5400)
        #expect(try request("observe -f --until 1m").hasUntil == false)
        #expect(TimeArgument.parse("Nov 26 21:04:05.250", now: now) == FlowTimestamp(seconds: 1_732_655_045, nanos: 250_000_000))
        let rfc1123 = TimeArgument.parse("Tue, 26 Nov 2024 21:04:05 +0100", now: now)
        #expect(rfc1123 == FlowTimestamp(seconds: 1_732_651_445))
        #expect(TimeArgument.parse("yesterday", now: now) == nil)
    }

    @Test func conflictingSelectorsAreUsageErrors() {
        for arguments in ["observe --first 2 --last 3", "observe --first 2 -f", "observe --last 2 --all", "observe -o table -f", "observe --since soon"] {
            #expect(throws: UsageError.self, "\(arguments)") { try request(arguments) }
        }
    }

    @Test func serverAddresses() throws {
        let options = try ServerOptions.parse([])
        #expect(try options.target(environment: [:]) == .unixSocket(path: "/run/hedgerow/agent.sock"))
        #expect(try options.target(environment: ["HFLOW_SERVER": "10.0.0.1:4244"]) == .tcp(host: "10.0.0.1", port: 4244))
        #expect(try ServerOptions.parse(["--server", "unix:///tmp/a.sock"]).target(environment: [:]) == .unixSocket(path: "/tmp/a.sock"))
        #expect(try ServerOptions.parse(["--server", "[fd00::1]:4244"]).target(environment: [:]) == .tcp(host: "fd00::1", port: 4244))
        #expect(throws: UsageError.self) { try ServerOptions.parse(["--server", "nohost"]).target(environment: [:]) }
    }

    @Test func tlsFlagsAsHubbleNamesThem() throws {
        #expect(try ServerOptions.parse(["--server", "10.0.0.1:4244"]).tlsOptions() == nil)
        let options = try ServerOptions.parse([
            "--tls", "--tls-ca-cert-files", "/ca1.pem", "--tls-ca-cert-files", "/ca2.pem", "--tls-client-cert-file", "/c.pem",
            "--tls-client-key-file", "/k.pem", "--tls-server-name", "relay.example",
        ]).tlsOptions()
        #expect(options == ObserverTLSOptions(
            caCertificateFiles: ["/ca1.pem", "/ca2.pem"], clientCertificateFile: "/c.pem", clientKeyFile: "/k.pem", serverName: "relay.example"))
        // A server name alone implies TLS; a certificate without its key is a usage error.
        #expect(try ServerOptions.parse(["--tls-server-name", "relay.example"]).tlsOptions()?.serverName == "relay.example")
        #expect(throws: UsageError.self) { try ServerOptions.parse(["--tls", "--tls-client-cert-file", "/c.pem"]).tlsOptions() }
    }
}

@Suite struct ExitStatusTests {
    @Test func usageErrorsExitTwoAndServerErrorsOne() {
        for arguments in [["observe", "--bogus"], ["observe", "-o", "xml"], ["observe", "--last", "many"], ["nope"]] {
            do {
                _ = try HFlow.parseAsRoot(arguments)
                Issue.record("\(arguments) parsed")
            } catch {
                #expect(HFlow.exitStatus(for: error) == 2, "\(arguments)")
            }
        }
        #expect(HFlow.exitStatus(for: UsageError("x")) == 2)
        #expect(HFlow.exitStatus(for: ServerError("x")) == 1)
        do {
            _ = try HFlow.parseAsRoot(["--help"])
        } catch {
            #expect(HFlow.exitStatus(for: error) == 0)
        }
    }
}
