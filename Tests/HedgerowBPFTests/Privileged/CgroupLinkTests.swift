import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

@Suite("cgroup attachment through a link")
struct CgroupLinkTests {
    static func attachedProgramIDs(_ cgroup: String) throws -> [UInt32] {
        // `bpftool cgroup show PATH` lists one program per line: ID, attach type, ...
        try Shell.run("bpftool", "cgroup", "show", cgroup).split(separator: "\n")
            .compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).first.flatMap { UInt32($0) } }
    }

    @Test("attach, pin, close, reopen pinned, detach", .enabled(if: Privileged.shouldRun))
    func linkLifecycle() throws {
        try Privileged.require()
        let cgroup = try TestCgroup()
        defer { cgroup.destroy() }
        let pins = try TestPinRoot()
        defer { pins.destroy() }

        let object = try BPFObject(path: TestObjects.cgroupAllow)
        defer { object.close() }
        let program = try object.program(named: "allow_egress")
        #expect(program.expectedAttachType == .cgroupInetEgress)
        let programID = try program.info().id

        // Closing an unpinned link detaches.
        do {
            let link = try program.attachToCgroup(at: cgroup.path)
            #expect(try Self.attachedProgramIDs(cgroup.path) == [programID])
            link.close()
        }
        #expect(try Self.attachedProgramIDs(cgroup.path).isEmpty)

        // A pinned link stays after its descriptor closes.
        let linkPath = pins.pin("egress_link")
        let link = try program.attachToCgroup(at: cgroup.path)
        let info = try link.info()
        #expect(info.programID == programID)
        try link.pin(at: linkPath)
        link.close()
        #expect(try Self.attachedProgramIDs(cgroup.path) == [programID])

        let adopted = try BPFLink.openPinned(linkPath)
        #expect(try adopted.info().id == info.id)
        try adopted.detach()
        #expect(try Self.attachedProgramIDs(cgroup.path).isEmpty)
        #expect(try BPFPin.remove(linkPath))
        adopted.close()
    }

    @Test("a cgroup path that does not exist is an error naming it", .enabled(if: Privileged.shouldRun))
    func missingCgroup() throws {
        try Privileged.require()
        let object = try BPFObject(path: TestObjects.cgroupAllow)
        defer { object.close() }
        let path = TestCgroup.root + "/" + UniqueName.make("nocg")
        let error = #expect(throws: BPFError.self) { try object.program(named: "allow_egress").attachToCgroup(at: path) }
        #expect(error?.errno == ENOENT)
        #expect(error?.path == path)
    }
}
