import Glibc

/// What `hlab _enter` (and `hlab exec`) does: join a cgroup, switch the network namespace,
/// optionally start a new session, then replace the process with the command. No shell, and
/// unlike `ip netns exec` no private mount namespace, so /sys/fs/bpf and the cgroup2 mount
/// stay visible to the command.
public enum NamespaceEntry {
    public struct Request: Sendable {
        public var netnsPath: String
        public var cgroup: String?
        public var newSession: Bool
        public var command: [String]

        public init(netnsPath: String, cgroup: String? = nil, newSession: Bool = false, command: [String]) {
            self.netnsPath = netnsPath
            self.cgroup = cgroup
            self.newSession = newSession
            self.command = command
        }
    }

    /// Never returns on success. Must run on the main thread before any other thread could
    /// matter: setns(CLONE_NEWNET) switches only the calling thread, and execv keeps the
    /// namespaces of the thread that calls it.
    public static func enter(_ request: Request) throws -> Never {
        guard let name = request.command.first else { throw LabError("_enter: no command given") }
        let executable = try resolveExecutable(name)

        if let cgroup = request.cgroup {
            // Before setns: the cgroup is the lab's, and the command's children inherit it.
            try CGroups.addProcess(getpid(), to: cgroup)
        }
        let fd = open(request.netnsPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open network namespace \(request.netnsPath)") }
        let joined = LinuxCalls.setns(fd, LinuxCalls.cloneNewNet)
        let setnsErrno = errno
        close(fd)
        guard joined == 0 else { throw SystemError("setns(\(request.netnsPath), CLONE_NEWNET)", errno: setnsErrno) }
        if request.newSession { try startSession() }

        // Inherited descriptors stay open on purpose: Foundation's Process watches its child
        // through a socket the child inherits, and spawners (Foundation, CommandRunner) already
        // close everything else.
        resetSignals()
        let argv: [UnsafeMutablePointer<CChar>?] = request.command.map { strdup($0) } + [nil]
        execv(executable, argv)
        throw SystemError("execv \(executable)")
    }

    /// The command starts with the signal state a shell would give it. A spawner's thread may
    /// block signals (Swift's runtime threads do), and a blocked mask survives exec: the pod's
    /// server would then ignore the SIGTERM that stops it.
    private static func resetSignals() {
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
        signal(SIGPIPE, SIG_DFL)
    }

    /// setsid() is refused to a process-group leader, which is what Foundation's Process makes
    /// of every child; such a child first joins its parent's group (same session, so allowed).
    static func startSession() throws {
        if getpgrp() == getpid() {
            let parentGroup = getpgid(getppid())
            guard parentGroup > 0, setpgid(0, parentGroup) == 0 else { throw SystemError("setpgid to leave own process group") }
        }
        guard setsid() >= 0 else { throw SystemError("setsid") }
    }

    /// A name without '/' is looked up in PATH (or the usual system directories when PATH is
    /// unset, as it may be for a detached agent).
    public static func resolveExecutable(_ name: String) throws -> String {
        if name.contains("/") {
            guard access(name, X_OK) == 0 else { throw SystemError("command \(name) is not executable") }
            return name
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        let dirs = (path.isEmpty ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path).split(separator: ":")
        for dir in dirs where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw LabError("command not found: \(name) (searched \(dirs.joined(separator: ":")))")
    }
}
