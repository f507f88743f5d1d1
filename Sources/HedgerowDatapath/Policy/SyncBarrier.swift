import HedgerowBPF

/// Waits until every BPF program that is running has finished.
///
/// The kernel answers an update of a map-in-map only after an RCU grace period (it waits so that
/// user space knows no program still uses the old inner map), and tc programs run inside RCU
/// read-side sections. So writing the same inner map into `hedgerow_sync_barrier` is a barrier:
/// when it returns, no program that started before it is still running. The kernel's own BPF
/// selftests trigger synchronize_rcu() this way.
struct SyncBarrier: Sendable {
    let outer: BPFMap<UInt32, UInt32>
    let slot: BPFMapHandle

    func wait() throws {
        try slot.withDescriptor(operation: "policy sync barrier") { descriptor in
            try outer.update(0, UInt32(bitPattern: descriptor))
        }
    }
}
