import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

@Suite("tc attachments")
struct TCAttachmentTests {
    @Test("replacing twice at one priority/handle leaves exactly one filter, running the last program",
          .enabled(if: Privileged.shouldRun))
    func replaceKeepsOneFilter() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 80)
        defer { veth.destroy() }
        // Two loads of the same code: same tag, different program ids.
        let first = try BPFObject(path: TestObjects.passthrough)
        let second = try BPFObject(path: TestObjects.passthrough)
        defer { first.close(); second.close() }
        let programA = try first.program(named: "passthrough")
        let programB = try second.program(named: "passthrough")
        #expect(try programA.info().id != programB.info().id)
        #expect(try programA.info().tag == programB.info().tag)

        let hook = try TCHook(interface: veth.hostName, direction: .ingress)
        let a = try hook.attach(programA, priority: 7, handle: 3)
        let b = try hook.attach(programB, priority: 7, handle: 3, replace: true)
        let c = try hook.attach(programA, priority: 7, handle: 3, replace: true)
        let lines = try tcFilterLines(device: veth.hostName, direction: "ingress")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("pref 7") == true)
        #expect(lines.first?.contains("id \(try programA.info().id)") == true)
        #expect(try hook.query(priority: 7, handle: 3) == programA.info().id)
        #expect(c.priority == 7 && c.handle == 3)

        // b's program was replaced: detaching b must not remove c's filter.
        #expect(try b.detach() == false)
        #expect(try tcFilterLines(device: veth.hostName, direction: "ingress").count == 1)
        // a and c name the same program at the same place: whichever detaches first removes it.
        #expect(try c.detach())
        #expect(try a.detach() == false)
        #expect(try tcFilterLines(device: veth.hostName, direction: "ingress").isEmpty)
        #expect(try hook.query(priority: 7, handle: 3) == nil)
    }

    @Test("attaching over an existing filter without replace is refused", .enabled(if: Privileged.shouldRun))
    func attachWithoutReplaceFails() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 81)
        defer { veth.destroy() }
        let object = try BPFObject(path: TestObjects.passthrough)
        defer { object.close() }
        let program = try object.program(named: "passthrough")
        let hook = TCHook(ifindex: veth.hostIndex, direction: .egress)
        let attachment = try hook.attach(program)
        let error = #expect(throws: BPFError.self) { try hook.attach(program) }
        #expect(error?.errno == EEXIST)
        #expect(error?.programName == "passthrough")
        #expect(error?.description.contains("use replace") == true)
        #expect(try attachment.detach())
        #expect(try tcFilterLines(device: veth.hostName, direction: "egress").isEmpty)
    }

    @Test("a released attachment detaches; a forgotten one stays and can be adopted",
          .enabled(if: Privileged.shouldRun))
    func releaseDetachesForgetKeeps() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 82)
        defer { veth.destroy() }
        let object = try BPFObject(path: TestObjects.passthrough)
        let program = try object.program(named: "passthrough")
        let programID = try program.info().id
        let hook = TCHook(ifindex: veth.hostIndex, direction: .ingress)

        do { _ = try hook.attach(program, priority: 2, handle: 2) }
        #expect(try hook.query(priority: 2, handle: 2) == nil)

        do { try hook.attach(program, priority: 2, handle: 2).forget() }
        // The filter holds the program: closing every descriptor of ours does not unload it.
        program.close()
        object.close()
        #expect(try hook.query(priority: 2, handle: 2) == programID)
        #expect(try tcFilterLines(device: veth.hostName, direction: "ingress").count == 1)

        let adopted = try #require(try hook.existingAttachment(priority: 2, handle: 2))
        #expect(adopted.programID == programID)
        #expect(try adopted.isAttached())
        #expect(try adopted.detach())
        #expect(try tcFilterLines(device: veth.hostName, direction: "ingress").isEmpty)
        #expect(try hook.existingAttachment(priority: 2, handle: 2) == nil)
    }

    @Test("querying a device without clsact finds nothing; detaching after the device vanished is quiet",
          .enabled(if: Privileged.shouldRun))
    func queriesWithoutFilters() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 83)
        defer { veth.destroy() }
        let hook = TCHook(ifindex: veth.hostIndex, direction: .ingress)
        #expect(try hook.query(priority: 1, handle: 1) == nil)

        let object = try BPFObject(path: TestObjects.passthrough)
        defer { object.close() }
        let attachment = try hook.attach(try object.program(named: "passthrough"))
        veth.destroy()
        #expect(try attachment.detach() == false)
        #expect(try hook.query(priority: 1, handle: 1) == nil)
    }
}
