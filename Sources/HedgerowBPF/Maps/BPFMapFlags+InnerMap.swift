import CLibBPF

extension BPFMapFlags {
    /// `BPF_F_INNER_MAP`: a map meant to go into a map-in-map whose template has this flag may
    /// have another `max_entries` than the template (array-of-maps holding arrays of any size).
    /// The flag itself must match the template's.
    public static let innerMap = BPFMapFlags(rawValue: UInt32(BPF_F_INNER_MAP))
}
