import HedgerowAPI
import HedgerowCore
import Testing

@testable import hflow

@Suite struct OutputFormatTests {
    private func render(_ format: OutputFormat, _ responses: [Observer_GetFlowsResponse], nodeName: Bool = false, colors: Bool = false, time: TimeFormat = .stampMilli) -> String {
        var formatter = FlowFormatter(format: format, timeFormat: time, printNodeName: nodeName, colors: Colorizer(enabled: colors))
        return responses.map { formatter.format($0).output }.joined() + formatter.finish()
    }

    @Test func compactLinesReadLikeHubbles() {
        #expect(render(.compact, [SampleResponses.tcp()])
            == "Nov 26 21:04:05.123: x/a:43210 (ID:256) -> y/b:80 (ID:257) to-endpoint FORWARDED (TCP Flags: SYN)\n")
        // Replies swap the ends and point back; an unknown direction is "<>".
        #expect(render(.compact, [SampleResponses.tcp(reply: true, summary: "TCP Flags: SYN, ACK")])
            == "Nov 26 21:04:05.123: y/b:80 (ID:257) <- x/a:43210 (ID:256) to-endpoint FORWARDED (TCP Flags: SYN, ACK)\n")
        #expect(render(.compact, [SampleResponses.drop])
            == "Nov 26 21:04:06.000: x/a:43210 (ID:256) <> y/b:80 (ID:257) Policy denied DROPPED (TCP Flags: SYN)\n")
        #expect(render(.compact, [SampleResponses.udpToWorld], nodeName: true)
            == "Nov 26 21:04:05.123 [node-1]: x/a:5353 (ID:256) -> dns.google:53 (world) to-stack FORWARDED (UDP)\n")
        #expect(render(.compact, [SampleResponses.lost]) == "EVENTS LOST: HUBBLE_RING_BUFFER CPU(0) 12\n")
    }

    @Test func singleDigitDaysArePaddedAsGoDoes() {
        // 2024-11-06T01:02:03.004Z
        #expect(render(.compact, [SampleResponses.tcp(seconds: 1_730_854_923, nanos: 4_000_000)]).hasPrefix("Nov  6 01:02:03.004: "))
    }

    @Test func coloursFollowHubble() {
        let line = render(.compact, [SampleResponses.drop], colors: true)
        #expect(line == "Nov 26 21:04:06.000: \u{1B}[36mx/a:43210\u{1B}[0m \u{1B}[35m(ID:256)\u{1B}[0m <> \u{1B}[36my/b:80\u{1B}[0m \u{1B}[35m(ID:257)\u{1B}[0m Policy denied \u{1B}[31mDROPPED\u{1B}[0m (TCP Flags: SYN)\n")
        #expect(Colorizer(mode: .auto, isTerminal: false, environment: [:]).enabled == false)
        #expect(Colorizer(mode: .auto, isTerminal: true, environment: ["NO_COLOR": "1"]).enabled == false)
        #expect(Colorizer(mode: .always, isTerminal: false, environment: [:]).enabled)
    }

    @Test func dictBlocksAreSeparated() {
        #expect(render(.dict, [SampleResponses.tcp(), SampleResponses.drop], nodeName: true) == """
              TIMESTAMP: Nov 26 21:04:05.123
                   NODE: node-1
                 SOURCE: x/a:43210
            DESTINATION: y/b:80
                   TYPE: to-endpoint
                VERDICT: FORWARDED
                SUMMARY: TCP Flags: SYN
            ------------
              TIMESTAMP: Nov 26 21:04:06.000
                   NODE: node-1
                 SOURCE: x/a:43210
            DESTINATION: y/b:80
                   TYPE: Policy denied
                VERDICT: DROPPED
                SUMMARY: TCP Flags: SYN

            """)
    }

    @Test func tableColumnsAreAligned() {
        #expect(render(.table, [SampleResponses.tcp(), SampleResponses.udpToWorld], colors: true) == """
            TIMESTAMP             SOURCE      DESTINATION     TYPE          VERDICT     SUMMARY
            Nov 26 21:04:05.123   x/a:43210   y/b:80          to-endpoint   FORWARDED   TCP Flags: SYN
            Nov 26 21:04:05.123   x/a:5353    dns.google:53   to-stack      FORWARDED   UDP

            """)
    }

    @Test func jsonIsProtobufJSONWithProtoFieldNames() {
        let json = render(.json, [SampleResponses.tcp()])
        #expect(json == render(.jsonpb, [SampleResponses.tcp()]))
        #expect(json == """
            {"flow":{"time":"2024-11-26T21:04:05.123456789Z","verdict":"FORWARDED","IP":{"source":"10.0.1.5","destination":"10.0.2.7","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":43210,"destination_port":80,"flags":{"SYN":true}}},"source":{"identity":256,"namespace":"x","labels":["k8s:app=a"],"pod_name":"a"},"destination":{"identity":257,"namespace":"y","pod_name":"b"},"Type":"L3_L4","node_name":"node-1","event_type":{"type":4},"traffic_direction":"INGRESS","trace_observation_point":"TO_ENDPOINT","is_reply":false,"Summary":"TCP Flags: SYN"},"node_name":"node-1","time":"2024-11-26T21:04:05.123456789Z"}

            """)
        #expect(render(.json, [SampleResponses.lost])
            == "{\"lost_events\":{\"source\":\"HUBBLE_RING_BUFFER\",\"num_events_lost\":\"12\"},\"node_name\":\"node-1\",\"time\":\"2024-11-26T21:04:07Z\"}\n")
    }

    @Test func timeFormats() {
        let time = FlowTimestamp(seconds: 1_732_655_045, nanos: 123_450_000)
        #expect(TimeFormat.stampMilli.format(time) == "Nov 26 21:04:05.123")
        #expect(TimeFormat.yearMonthDay.format(time) == "2024-11-26")
        #expect(TimeFormat.yearMonthDayHour.format(time) == "2024-11-26T21Z")
        #expect(TimeFormat.yearMonthDayHourMinute.format(time) == "2024-11-26T21:04Z")
        #expect(TimeFormat.rfc3339.format(time) == "2024-11-26T21:04:05Z")
        #expect(TimeFormat.rfc3339Milli.format(time) == "2024-11-26T21:04:05.123Z")
        #expect(TimeFormat.rfc3339Micro.format(time) == "2024-11-26T21:04:05.123450Z")
        #expect(TimeFormat.rfc3339Nano.format(time) == "2024-11-26T21:04:05.12345Z")
        #expect(TimeFormat.rfc1123Z.format(time) == "Tue, 26 Nov 2024 21:04:05 +0000")
        #expect(render(.compact, [SampleResponses.tcp()], time: .rfc3339Milli).hasPrefix("2024-11-26T21:04:05.123Z: "))
    }

    @Test func statusReport() {
        let status = Observer_ServerStatusResponse.with {
            $0.numFlows = 4095
            $0.maxFlows = 4095
            $0.seenFlows = 1_234_567
            $0.uptimeNs = 3_723_000_000_000
            $0.flowsRate = 3.0666
            $0.version = "hedgerow"
            $0.hedgerowDatapathLostEvents = 2
        }
        #expect(StatusCommand.report(status, target: .unixSocket(path: "/run/hedgerow/agent.sock")) == """
            Healthcheck (via unix:///run/hedgerow/agent.sock): Ok
            Current/Max Flows: 4,095/4,095 (100.00%)
            Flows/s: 3.07
            Seen Flows: 1,234,567
            Uptime: 1h2m3s
            Lost Events: 2 in the datapath, 0 by slow clients
            Version: hedgerow

            """)
    }
}
