import Synchronization

/// Numbers for the rule origins of policy entries ("NetworkPolicy x/allow-db ingress[0]"): the
/// map value carries the number, flows carry it back, and this table names it. Numbers live
/// while a map entry uses them; 0 means "no origins".
final class PolicyCookieTable: Sendable {
    private struct State {
        var cookies: [[String]: UInt32] = [:]
        var origins: [UInt32: [String]] = [:]
        var references: [UInt32: Int] = [:]
        var next: UInt32 = 1
    }

    private let state: Mutex<State>

    /// Hands out numbers above `highestInUse`, so entries adopted from a previous agent keep
    /// numbers of their own until their next sync rewrites them.
    init(highestInUse: UInt32 = 0) {
        var initial = State()
        initial.next = highestInUse &+ 1
        state = Mutex(initial)
    }

    /// The cookie for `origins`, made if new (it is collected unless an entry retains it).
    func cookie(for origins: [String]) -> UInt32 {
        guard !origins.isEmpty else { return 0 }
        return state.withLock { state in
            if let cookie = state.cookies[origins] { return cookie }
            var cookie = state.next
            while cookie == 0 || state.origins[cookie] != nil { cookie &+= 1 }
            state.next = cookie &+ 1
            state.cookies[origins] = cookie
            state.origins[cookie] = origins
            return cookie
        }
    }

    func origins(of cookie: UInt32) -> [String]? { state.withLock { $0.origins[cookie] } }

    /// Moves references from the cookies of replaced entries to those of their replacements,
    /// then forgets cookies nothing refers to.
    func rebalance(released: [UInt32], retained: [UInt32]) {
        state.withLock { state in
            for cookie in retained where state.origins[cookie] != nil { state.references[cookie, default: 0] += 1 }
            for cookie in released where state.origins[cookie] != nil { state.references[cookie, default: 0] -= 1 }
            for (cookie, origins) in state.origins where (state.references[cookie] ?? 0) <= 0 {
                state.origins[cookie] = nil
                state.cookies[origins] = nil
                state.references[cookie] = nil
            }
        }
    }
}
