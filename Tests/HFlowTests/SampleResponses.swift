import HedgerowAPI
import SwiftProtobuf

/// Flows as the agent sends them, for golden-output tests.
enum SampleResponses {
    static func endpoint(_ namespace: String, _ pod: String, identity: UInt32, labels: [String] = []) -> Flow_Endpoint {
        .with {
            $0.namespace = namespace
            $0.podName = pod
            $0.identity = identity
            $0.labels = labels
        }
    }

    static func tcp(
        seconds: Int64 = 1_732_655_045, nanos: Int32 = 123_456_789, reply: Bool? = false, flags: Flow_TCPFlags = .with { $0.syn = true },
        summary: String = "TCP Flags: SYN"
    ) -> Observer_GetFlowsResponse {
        let flow = Flow_Flow.with {
            $0.time = Google_Protobuf_Timestamp(seconds: seconds, nanos: nanos)
            $0.verdict = .forwarded
            $0.ip = .with {
                $0.source = "10.0.1.5"
                $0.destination = "10.0.2.7"
                $0.ipVersion = .ipv4
            }
            $0.l4 = .with {
                $0.tcp = .with {
                    $0.sourcePort = 43210
                    $0.destinationPort = 80
                    $0.flags = flags
                }
            }
            $0.source = endpoint("x", "a", identity: 256, labels: ["k8s:app=a"])
            $0.destination = endpoint("y", "b", identity: 257)
            $0.type = .l3L4
            $0.nodeName = "node-1"
            if let reply { $0.isReply = Google_Protobuf_BoolValue(reply) }
            $0.eventType = .with { $0.type = 4 }
            $0.trafficDirection = .ingress
            $0.traceObservationPoint = .toEndpoint
            $0.summary = summary
        }
        return .with {
            $0.flow = flow
            $0.nodeName = "node-1"
            $0.time = flow.time
        }
    }

    static let drop: Observer_GetFlowsResponse = {
        var response = tcp(seconds: 1_732_655_046, nanos: 0)
        response.flow.verdict = .dropped
        response.flow.dropReason = 133
        response.flow.dropReasonDesc = .policyDenied
        response.flow.eventType = .with {
            $0.type = 1
            $0.subType = 133
        }
        response.flow.clearIsReply()
        response.flow.traceObservationPoint = .unknownPoint
        response.time = response.flow.time
        return response
    }()

    static let udpToWorld: Observer_GetFlowsResponse = {
        var response = tcp()
        response.flow.l4 = .with {
            $0.udp = .with {
                $0.sourcePort = 5353
                $0.destinationPort = 53
            }
        }
        response.flow.ip.destination = "8.8.8.8"
        response.flow.destination = .with {
            $0.identity = 2
            $0.labels = ["reserved:world"]
        }
        response.flow.destinationNames = ["dns.google"]
        response.flow.eventType = .with {
            $0.type = 4
            $0.subType = 3
        }
        response.flow.summary = "UDP"
        return response
    }()

    static let lost: Observer_GetFlowsResponse = .with {
        $0.lostEvents = .with {
            $0.source = .hubbleRingBuffer
            $0.numEventsLost = 12
        }
        $0.nodeName = "node-1"
        $0.time = Google_Protobuf_Timestamp(seconds: 1_732_655_047, nanos: 0)
    }
}
