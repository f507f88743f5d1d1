/// A change to the links of a namespace, as `LinkEvents` reports it.
public enum LinkEvent: Sendable, Hashable {
    /// RTM_NEWLINK: a link appeared, or an existing one changed (flags, name, MTU, ...). The
    /// kernel uses the same message for both, so a consumer treats it as "upsert by index".
    case added(Link)
    /// RTM_DELLINK: the link with this index and name is gone.
    case removed(index: Int32, name: String)
    /// Events were lost: the kernel's socket buffer overflowed (ENOBUFS) or the consumer fell
    /// `bufferLimit` events behind. The consumer's view may now be stale in any way; it should
    /// resynchronise with a dump (`NetlinkSocket.links()`). Events after this one are current.
    case overrun
}
