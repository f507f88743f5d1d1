import Glibc

/// Linux calls that Swift's Glibc module does not import (it lacks `_GNU_SOURCE` prototypes).
/// They are looked up once in the C library already loaded, so no C shim target is needed.
enum LinuxCalls {
    static let cloneNewNet: Int32 = 0x4000_0000
    static let closeRangeCloexec: UInt32 = 1 << 2

    private typealias SetnsFunction = @convention(c) (Int32, Int32) -> Int32
    private typealias CloseRangeFunction = @convention(c) (UInt32, UInt32, Int32) -> Int32

    /// setns(2): moves the calling *thread* into the namespace `fd` refers to.
    static func setns(_ fd: Int32, _ type: Int32) -> Int32 {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else {
            Glibc.errno = ENOSYS
            return -1
        }
        return unsafeBitCast(symbol, to: SetnsFunction.self)(fd, type)
    }

    /// Marks every descriptor from 3 up close-on-exec, so a command started by `hlab` never
    /// inherits a pipe of whoever started `hlab` (which would keep that reader waiting forever).
    static func markDescriptorsCloseOnExec(from first: Int32 = 3) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "close_range"),
           unsafeBitCast(symbol, to: CloseRangeFunction.self)(UInt32(first), UInt32.max, Int32(closeRangeCloexec)) == 0 {
            return
        }
        // Older kernels or C libraries: walk the open descriptors instead.
        guard let dir = opendir("/proc/self/fd") else { return }
        defer { closedir(dir) }
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd >= first, fd != dirfd(dir) { fds.append(fd) }
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }
}
