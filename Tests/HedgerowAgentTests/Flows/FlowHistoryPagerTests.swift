import HedgerowCore
import Testing

@testable import HedgerowAgent

@Suite struct FlowHistoryPagerTests {
    /// Times 1,1,1,1,2,2,3,3,3 (seconds): pages of 2 must split runs of equal times cleanly.
    let flows: [Flow] = [1, 1, 1, 1, 2, 2, 3, 3, 3].enumerated().map { index, second in
        var flow = FlowTestData.flow(index + 1)
        flow.time = FlowTimestamp(seconds: Int64(second))
        return flow
    }

    func pager(filter: @escaping @Sendable (Flow) -> Bool = { _ in true }) -> FlowHistoryPager {
        FlowHistoryPager(source: ArrayHistory(flows), since: nil, until: FlowTimestamp(seconds: 10), filter: filter)
    }

    func all(from position: FlowHistoryPager.Position, pageSize: Int, pager: FlowHistoryPager) throws -> [Int] {
        var numbers: [Int] = []
        var position: FlowHistoryPager.Position? = position
        while let current = position {
            let page = try pager.page(from: current, limit: pageSize)
            #expect(page.flows.count <= pageSize)
            numbers += page.flows.map { Int($0.l4?.sourcePort ?? 0) }
            position = page.next
        }
        return numbers
    }

    @Test func pagesCoverEveryFlowOnceAcrossEqualTimes() throws {
        for size in 1...10 {
            #expect(try all(from: .start, pageSize: size, pager: pager()) == Array(1...9), "page size \(size)")
        }
    }

    @Test func startOfLastCountsFromTheEnd() throws {
        #expect(try all(from: pager().startOfLast(4), pageSize: 2, pager: pager()) == [6, 7, 8, 9])
        #expect(try all(from: pager().startOfLast(7), pageSize: 3, pager: pager()) == Array(3...9))
        #expect(try all(from: pager().startOfLast(50), pageSize: 3, pager: pager()) == Array(1...9))
        let odd = pager { ($0.l4?.sourcePort ?? 0) % 2 == 1 }
        #expect(try all(from: odd.startOfLast(3), pageSize: 1, pager: odd) == [5, 7, 9])
    }
}
