import Synchronization

/// Numbers for the rule origins of policy entries ("NetworkPolicy x/allow-db ingress[0]"): the
/// map value carries the number, flows carry it back, and this table names it. A number lives
/// while a map entry uses it; 0 means "no origins".
final class PolicyCookieTable: Sendable {
    private struct State {
        var cookies: [[String]: UInt32] = [:]
        var origins: [UInt32: [String]] = [:]
        var references: [UInt32: Int] = [:]
        /// Made since the last rebalance: collected then unless retained.
        var fresh: Set<UInt32> = []
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

    /// The cookie for `origins`, made if new.
    func cookie(for origins: [String]) -> UInt32 { cookies(for: [origins])[0] }

    /// The cookies for many origin lists at once (one lock for a whole policy).
    func cookies(for list: [[String]]) -> [UInt32] {
        state.withLock { state in
            list.map { origins in
                guard !origins.isEmpty else { return 0 }
                if let cookie = state.cookies[origins] { return cookie }
                var cookie = state.next
                while cookie == 0 || state.origins[cookie] != nil { cookie &+= 1 }
                state.next = cookie &+ 1
                state.cookies[origins] = cookie
                state.origins[cookie] = origins
                state.fresh.insert(cookie)
                return cookie
            }
        }
    }

    func origins(of cookie: UInt32) -> [String]? { state.withLock { $0.origins[cookie] } }

    /// Counts map entries that stopped (`released`) and started (`retained`) using cookies, then
    /// forgets the cookies of those and of fresh ones that nothing uses. Costs what changed.
    func rebalance(released: [UInt32], retained: [UInt32]) {
        state.withLock { state in
            for cookie in retained where state.origins[cookie] != nil { state.references[cookie, default: 0] += 1 }
            for cookie in released where state.origins[cookie] != nil { state.references[cookie, default: 0] -= 1 }
            for cookie in state.fresh.union(released) where (state.references[cookie] ?? 0) <= 0 {
                guard let origins = state.origins.removeValue(forKey: cookie) else { continue }
                state.cookies[origins] = nil
                state.references[cookie] = nil
            }
            state.fresh.removeAll(keepingCapacity: true)
        }
    }
}
