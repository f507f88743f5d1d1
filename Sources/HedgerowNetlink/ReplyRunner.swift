import CLibMNL
import CLibMNLShim
import Glibc

/// Feeds received netlink datagrams through libmnl (`hedgerow_mnl_run_reply`), handing every
/// data message of the expected sequence to a Swift closure and turning NLMSG_ERROR/NLMSG_DONE
/// into completion or a `NetlinkError`.
enum ReplyRunner {
    enum Progress { case needsMore, complete }

    /// Runs one datagram. `sequence` 0 accepts every message (notifications). `operation` names
    /// what the error should say was being done.
    static func run(
        _ datagram: UnsafeRawBufferPointer, sequence: UInt32, portID: UInt32, operation: String,
        onMessage: (NetlinkMessage) throws(NetlinkError) -> Void
    ) throws(NetlinkError) -> Progress {
        let result: Result<Progress, NetlinkError> = withoutActuallyEscaping(onMessage) { escapable in
            let handler = MessageHandler(onMessage: escapable)
            var kernelMessage = [CChar](repeating: 0, count: 256)
            let status = hedgerow_mnl_run_reply(
                datagram.baseAddress, datagram.count, sequence, portID,
                { header, context in
                    guard let header, let context else { return MNL_CB_ERROR }
                    return Unmanaged<MessageHandler>.fromOpaque(context).takeUnretainedValue().handle(header)
                },
                Unmanaged.passUnretained(handler).toOpaque(), &kernelMessage, kernelMessage.count)
            let savedErrno = errno
            if let failure = handler.failure { return .failure(failure) }
            switch status {
            case MNL_CB_OK: return .success(.needsMore)
            case MNL_CB_STOP: return .success(.complete)
            default:
                let text = String(decoding: kernelMessage.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return .failure(NetlinkError(operation: operation, errno: savedErrno, kernelMessage: text.isEmpty ? nil : text))
            }
        }
        return try result.get()
    }
}

/// Carries the Swift closure through libmnl's C callback, and the first error it threw back.
private final class MessageHandler {
    let onMessage: (NetlinkMessage) throws(NetlinkError) -> Void
    var failure: NetlinkError?

    init(onMessage: @escaping (NetlinkMessage) throws(NetlinkError) -> Void) { self.onMessage = onMessage }

    func handle(_ header: UnsafePointer<nlmsghdr>) -> Int32 {
        do {
            try onMessage(NetlinkMessage(header: header))
            return MNL_CB_OK
        } catch {
            failure = error
            return MNL_CB_ERROR
        }
    }
}
