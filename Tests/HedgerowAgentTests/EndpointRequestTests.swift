import Testing

@testable import HedgerowAgent

@Suite struct EndpointRequestTests {
    @Test func missingFieldsAreNamed() {
        let request = EndpointRequest(
            containerID: "c1", namespace: "x", podName: "", interfaceName: "veth1", containerInterface: "eth0",
            netns: "/run/netns/a", ips: ["10.0.0.1"])
        let error = #expect(throws: EndpointError.self) { try request.validate() }
        #expect(error?.description == "pod_name is required")
    }
}
