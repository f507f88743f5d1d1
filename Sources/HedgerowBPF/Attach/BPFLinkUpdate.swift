import CLibBPF

extension BPFLink {
    /// Makes the link run `program` instead of its current one, in one step (`bpf_link_update`):
    /// the hook never runs without a program, as it would between a detach and a new attach.
    /// The program must have the link's program type and attach type.
    public func update(to program: BPFProgram) throws {
        try withDescriptor(operation: "update link") { linkFD in
            try program.withDescriptor(operation: "update link") { programFD in
                let status = bpf_link_update(linkFD, programFD, nil)
                if status < 0 { throw BPFError.system("update link", errno: status, programName: program.name) }
            }
        }
    }
}
