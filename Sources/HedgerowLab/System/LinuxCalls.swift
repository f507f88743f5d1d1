import Glibc

/// Linux calls that Swift's Glibc module does not import (it lacks `_GNU_SOURCE` prototypes).
/// They are looked up in the C library already loaded, so no C shim target is needed.
enum LinuxCalls {
    static let cloneNewNet: Int32 = 0x4000_0000

    private typealias SetnsFunction = @convention(c) (Int32, Int32) -> Int32

    /// setns(2): moves the calling *thread* into the namespace `fd` refers to.
    static func setns(_ fd: Int32, _ type: Int32) -> Int32 {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else {
            Glibc.errno = ENOSYS
            return -1
        }
        return unsafeBitCast(symbol, to: SetnsFunction.self)(fd, type)
    }
}
