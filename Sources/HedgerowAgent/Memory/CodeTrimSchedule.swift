/// When code pages are worth trimming: at the first check (start-up code is done), then whenever
/// the file-backed resident set has grown past what it settled at after the last trim. Settling
/// is measured a moment after a trim, once the code still in use has faulted back in; trimming
/// against the value right after the trim would trim again at every check.
struct CodeTrimSchedule {
    /// Growth of file-backed pages that earns another trim; smaller growth is not worth the faults.
    var threshold: UInt64 = 1 << 20
    private(set) var settled: UInt64?

    func shouldTrim(fileBacked: UInt64) -> Bool {
        guard let settled else { return true }
        return fileBacked > settled + threshold
    }

    mutating func settle(fileBacked: UInt64) { settled = fileBacked }
}
