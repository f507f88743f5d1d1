import HedgerowNetlink
import Testing

@Suite struct NetlinkErrorTests {
    @Test func describesOperationErrnoAndText() {
        let error = NetlinkError(operation: "delete link 'hrh0' (RTM_DELLINK)", errno: 1)
        #expect(error.description == "delete link 'hrh0' (RTM_DELLINK): Operation not permitted (errno 1)")
        #expect(!error.isNotFound)
    }

    @Test func noDeviceAndNoEntryMeanNotFound() {
        #expect(NetlinkError(operation: "x", errno: 19).isNotFound)
        #expect(NetlinkError(operation: "x", errno: 2).isNotFound)
    }
}
