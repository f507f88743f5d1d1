@testable import HedgerowNetlink
import Testing

/// How replies are matched and completed: acknowledgements, dump ends, kernel errors with their
/// extended-ACK text, and messages left over from an earlier request.
@Suite struct ReplyRunnerTests {
    typealias M = MessageBytes

    static let link = M.linkInfo(index: 3, flags: 0) + M.attribute(M.iflaName, M.string("x"))

    /// Runs `datagram` as a reply to `sequence`, returning how it ended and the link indexes seen.
    func run(_ datagram: [UInt8], sequence: UInt32) throws -> (ReplyRunner.Progress, [Int32]) {
        var seen: [Int32] = []
        let progress = try datagram.withUnsafeBytes { bytes in
            try ReplyRunner.run(bytes, sequence: sequence, portID: 0, operation: "test request") { (message) throws(NetlinkError) in
                seen.append(try Link(message: message).index)
            }
        }
        return (progress, seen)
    }

    @Test func aDumpNeedsMoreUntilDone() throws {
        let part = M.message(type: M.newLink, flags: M.flagMulti, sequence: 7, body: Self.link)
        #expect(try run(part + part, sequence: 7) == (.needsMore, [3, 3]))
        let end = M.message(type: M.done, flags: M.flagMulti, sequence: 7, body: M.value(Int32(0)))
        #expect(try run(part + end, sequence: 7) == (.complete, [3]))
    }

    @Test func anAckCompletesARequest() throws {
        let ack = M.message(type: M.error, flags: M.flagCapped, sequence: 8, body: M.errorBody(0, requestSequence: 8))
        #expect(try run(M.message(type: M.newLink, sequence: 8, body: Self.link) + ack, sequence: 8) == (.complete, [3]))
    }

    @Test func repliesToAnotherSequenceAreSkipped() throws {
        let stale = M.message(type: M.newLink, sequence: 6, body: Self.link)
            + M.message(type: M.error, flags: M.flagCapped, sequence: 6, body: M.errorBody(-19, requestSequence: 6))
            + M.message(type: M.done, sequence: 6, body: M.value(Int32(0)))
        let current = M.message(type: M.newLink, sequence: 9, body: Self.link)
        #expect(try run(stale + current, sequence: 9) == (.needsMore, [3]))
    }

    @Test func aKernelErrorCarriesErrnoAndTheExtendedAckMessage() throws {
        let body = M.errorBody(-19, requestSequence: 10) + M.attribute(M.errorAttributeMessage, M.string("Device not found"))
        let reply = M.message(type: M.error, flags: M.flagCapped | M.flagAckTLVs, sequence: 10, body: body)
        let error = #expect(throws: NetlinkError.self) { try run(reply, sequence: 10) }
        #expect(error == NetlinkError(operation: "test request", errno: 19, kernelMessage: "Device not found"))
        #expect(error?.isNotFound == true)
        #expect(error?.description == "test request: No such device (errno 19): kernel says \"Device not found\"")
    }

    @Test func anUncappedErrorFindsTheMessageAfterTheEchoedRequest() throws {
        // Without NETLINK_CAP_ACK the whole request (header + 16-byte ifinfomsg) is echoed.
        let echoed = M.message(type: M.newLink, sequence: 11, body: M.linkInfo(index: 0, flags: 0))
        let body = M.value(Int32(-1)) + echoed + M.attribute(M.errorAttributeMessage, M.string("not allowed"))
        let reply = M.message(type: M.error, flags: M.flagAckTLVs, sequence: 11, body: body)
        let error = #expect(throws: NetlinkError.self) { try run(reply, sequence: 11) }
        #expect(error?.errno == 1)
        #expect(error?.kernelMessage == "not allowed")
    }

    @Test func aFailedDumpReportsItsError() throws {
        let reply = M.message(type: M.done, flags: M.flagMulti, sequence: 12, body: M.value(Int32(-1)))
        let error = #expect(throws: NetlinkError.self) { try run(reply, sequence: 12) }
        #expect(error?.errno == 1)
        #expect(error?.kernelMessage == nil)
    }

    @Test func aDumpTheKernelMarkedInterruptedFailsWithEINTR() throws {
        let dumpInterrupted: UInt16 = 0x10
        let part = M.message(type: M.newLink, flags: M.flagMulti | dumpInterrupted, sequence: 14, body: Self.link)
        let error = #expect(throws: NetlinkError.self) { try run(part, sequence: 14) }
        #expect(error?.errno == 4)
    }

    @Test func findsTheEndOfAReplyInADatagram() {
        let part = M.message(type: M.newLink, flags: M.flagMulti, sequence: 15, body: Self.link)
        let otherEnd = M.message(type: M.done, flags: M.flagMulti, sequence: 3, body: M.value(Int32(0)))
        let done = M.message(type: M.done, flags: M.flagMulti, sequence: 15, body: M.value(Int32(0)))
        let error = M.message(type: M.error, flags: M.flagCapped, sequence: 15, body: M.errorBody(-16, requestSequence: 15))
        #expect(!(part + otherEnd).withUnsafeBytes { NetlinkSocket.holdsEnd(of: 15, $0) })
        #expect((part + done).withUnsafeBytes { NetlinkSocket.holdsEnd(of: 15, $0) })
        #expect(error.withUnsafeBytes { NetlinkSocket.holdsEnd(of: 15, $0) })
    }

    @Test func aDecodingErrorStopsTheRun() throws {
        let bad = M.message(type: M.newLink, sequence: 13, body: M.linkInfo(index: 3, flags: 0))  // no name
        let error = #expect(throws: NetlinkError.self) { try run(bad + bad, sequence: 13) }
        #expect(error?.errno == 74)
    }
}
