/// Whether a policy is enforced or only audited. An audit-mode policy is evaluated like any
/// other, but what it alone would drop passes and is reported with verdict AUDIT, naming it:
/// the way to roll out default deny without guessing. Its allows allow nothing either.
public enum PolicyMode: String, Hashable, Sendable, CaseIterable {
    case enforce
    case audit

    /// The annotation that sets it on any policy kind.
    public static let annotation = "policy.hedgerow.dev/mode"
}
