import Testing

@testable import HedgerowCore

@Suite struct LabelsTests {
    @Test func iteratesInKeyOrder() {
        let labels: Labels = ["tier": "web", "app": "shop", "env": "prod"]
        #expect(labels.keys == ["app", "env", "tier"])
        #expect(labels.map(\.value) == ["shop", "prod", "web"])
        #expect(labels.description == "app=shop,env=prod,tier=web")
    }

    @Test func equalSetsAreEqualRegardlessOfInsertionOrder() {
        var a = Labels()
        a["z"] = "1"
        a["a"] = "2"
        let b = Labels(["a": "2", "z": "1"])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }

    @Test func subscriptSetsReplacesAndRemoves() {
        var labels: Labels = ["app": "web"]
        labels["app"] = "db"
        labels["b"] = "x"
        #expect(labels["app"] == "db" && labels.count == 2)
        labels["app"] = nil
        labels["missing"] = nil
        #expect(labels == ["b": "x"])
        #expect(labels["app"] == nil)
        #expect(!labels.contains(key: "app") && labels.contains(key: "b"))
    }

    @Test func supersetMatchesLikeAnEqualitySelector() {
        let pod: Labels = ["app": "web", "tier": "front"]
        #expect(pod.isSuperset(of: ["app": "web"]))
        #expect(pod.isSuperset(of: Labels()))
        #expect(!pod.isSuperset(of: ["app": "db"]))
        #expect(!pod.isSuperset(of: ["other": "web"]))
    }

    @Test func emptyLabels() {
        let labels = Labels()
        #expect(labels.isEmpty && labels.count == 0 && labels.description == "")
    }

    @Test func problemsReportKeysAndValues() {
        let labels: Labels = ["-bad": "ok", "good": "-bad", "fine": ""]
        let problems = labels.problems()
        #expect(problems.count == 2)
        #expect(problems.contains { $0.isKeyProblem && $0.label.key == "-bad" })
        #expect(problems.contains { !$0.isKeyProblem && $0.label.key == "good" })
        #expect(problems.first { !$0.isKeyProblem }!.description.hasPrefix("label \"good\" value \"-bad\": must be empty or"))
    }
}
