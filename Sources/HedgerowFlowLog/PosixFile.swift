#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few system calls the log makes, each failure naming the path and offset.
/// The only kernel-facing code of the module.
final class PosixFile {
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    static func openForReading(_ path: String) throws(FlowLogError) -> PosixFile {
        try open(path, flags: O_RDONLY | O_CLOEXEC)
    }

    /// Appends only; `create` fails if the file exists, so two writers never share one segment.
    static func openForAppending(_ path: String, create: Bool) throws(FlowLogError) -> PosixFile {
        try open(path, flags: O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0))
    }

    private static func open(_ path: String, flags: Int32) throws(FlowLogError) -> PosixFile {
        let descriptor = Glibc.open(path, flags, 0o644)
        guard descriptor >= 0 else { throw FlowLogError(path: path, reason: "open: \(errorText())") }
        return PosixFile(path: path, descriptor: descriptor)
    }

    func size() throws(FlowLogError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FlowLogError(path: path, reason: "fstat: \(errorText())") }
        return Int(info.st_size)
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: Int, count: Int, into buffer: inout [UInt8]) throws(FlowLogError) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: count))
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { bytes in
                pread(descriptor, bytes.baseAddress! + done, count - done, off_t(offset + done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw FlowLogError(path: path, offset: offset + done, reason: "pread: \(errorText())")
            }
            if result == 0 { break }
            done += result
        }
        buffer.removeSubrange(done...)
    }

    /// One write(2) per call in practice: a block lands whole or, after a crash, as a torn tail.
    func append(_ bytes: [UInt8], at offset: Int) throws(FlowLogError) {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if result < 0 {
                if errno == EINTR { continue }
                throw FlowLogError(path: path, offset: offset + done, reason: "write: \(errorText())")
            }
            done += result
        }
    }

    func sync() throws(FlowLogError) {
        guard fsync(descriptor) == 0 else { throw FlowLogError(path: path, reason: "fsync: \(errorText())") }
    }

    static func truncate(_ path: String, to length: Int) throws(FlowLogError) {
        guard Glibc.truncate(path, off_t(length)) == 0 else {
            throw FlowLogError(path: path, offset: length, reason: "truncate: \(errorText())")
        }
    }

    static func remove(_ path: String) throws(FlowLogError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw FlowLogError(path: path, reason: "unlink: \(errorText())") }
    }

    static func makeDirectory(_ path: String) throws(FlowLogError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw FlowLogError(path: path, reason: "mkdir: \(errorText())")
        }
    }

    static func fileNames(in directory: String) throws(FlowLogError) -> [String] {
        guard let handle = opendir(directory) else { throw FlowLogError(path: directory, reason: "opendir: \(errorText())") }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            names.append(name)
        }
        return names
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
    private func errorText() -> String { Self.errorText() }
}
