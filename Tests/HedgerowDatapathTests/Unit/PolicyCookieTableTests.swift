import Testing

@testable import HedgerowDatapath

@Suite struct PolicyCookieTableTests {
    @Test func cookiesLiveWhileEntriesUseThem() {
        let table = PolicyCookieTable(highestInUse: 41)
        let web = table.cookie(for: ["NetworkPolicy x/web ingress[0]"])
        #expect(web == 42)  // above every cookie an adopted map already uses
        #expect(table.cookie(for: ["NetworkPolicy x/web ingress[0]"]) == web)
        #expect(table.cookie(for: []) == 0)
        table.rebalance(released: [], retained: [web, web])
        #expect(table.origins(of: web) == ["NetworkPolicy x/web ingress[0]"])
        table.rebalance(released: [web], retained: [])
        #expect(table.origins(of: web) != nil)  // one entry still uses it
        table.rebalance(released: [web], retained: [])
        #expect(table.origins(of: web) == nil)
        // A cookie made but never retained goes with the next clean-up; unknown cookies are ignored.
        let stray = table.cookie(for: ["stray"])
        table.rebalance(released: [7], retained: [])
        #expect(table.origins(of: stray) == nil)
    }
}
