import Testing

@testable import HedgerowCore

@Suite struct KubernetesValidationTests {
    @Test(arguments: ["a", "x", "my-name", "123-abc", "0", String(repeating: "a", count: 63)])
    func validDNS1123Labels(name: String) {
        #expect(KubernetesValidation.dns1123LabelProblems(name).isEmpty)
    }

    @Test(arguments: ["", "-a", "a-", "A", "my_name", "my.name", "ünicode", "a b"])
    func invalidDNS1123Labels(name: String) {
        #expect(KubernetesValidation.dns1123LabelProblems(name).count == 1)
    }

    @Test func dns1123LabelTooLongIsOneProblem() {
        #expect(
            KubernetesValidation.dns1123LabelProblems(String(repeating: "a", count: 64))
                == ["must be no more than 63 characters"])
    }

    @Test(arguments: ["a", "example.com", "web-0", "a.b.c", "1.2.3"])
    func validDNS1123Subdomains(name: String) {
        #expect(KubernetesValidation.dns1123SubdomainProblems(name).isEmpty)
    }

    @Test(arguments: ["", ".a", "a.", "a..b", "A.com", "a_b", "-a.b", "a.-b"])
    func invalidDNS1123Subdomains(name: String) {
        #expect(!KubernetesValidation.dns1123SubdomainProblems(name).isEmpty)
    }

    @Test func dns1123SubdomainLengthLimitIs253() {
        let label = String(repeating: "a", count: 63)
        let ok = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(ok.count == 253)
        #expect(KubernetesValidation.dns1123SubdomainProblems(ok).isEmpty)
        #expect(KubernetesValidation.dns1123SubdomainProblems(ok + "b") == ["must be no more than 253 characters"])
    }

    @Test(arguments: [
        "app", "App", "a", "a.b", "a_b", "a-b", "1", "app.kubernetes.io/name", "example.com/MyName",
        "kubernetes.io/metadata.name", String(repeating: "k", count: 63),
    ])
    func validLabelKeys(key: String) {
        #expect(KubernetesValidation.labelKeyProblems(key).isEmpty)
    }

    @Test func labelKeyProblemsNameThePart() {
        #expect(KubernetesValidation.labelKeyProblems("") == ["name part must be non-empty"])
        #expect(KubernetesValidation.labelKeyProblems("/app") == ["prefix part must be non-empty"])
        #expect(KubernetesValidation.labelKeyProblems("example.com/") == ["name part must be non-empty"])
        #expect(KubernetesValidation.labelKeyProblems("a/b/c").count == 1)
        #expect(KubernetesValidation.labelKeyProblems(String(repeating: "k", count: 64)) == ["name part must be no more than 63 characters"])
        let badPrefix = KubernetesValidation.labelKeyProblems("Example.com/app")
        #expect(badPrefix.count == 1 && badPrefix[0].hasPrefix("prefix part must consist of lowercase"))
        for key in ["-app", "app-", "_app", "app.", "a b", "a:b", "é"] {
            let problems = KubernetesValidation.labelKeyProblems(key)
            #expect(problems.count == 1 && problems[0].hasPrefix("name part must consist of"), "\(key)")
        }
    }

    @Test(arguments: ["", "a", "MyValue", "my_value", "12345", "1.0", "a-b.c_d", String(repeating: "v", count: 63)])
    func validLabelValues(value: String) {
        #expect(KubernetesValidation.labelValueProblems(value).isEmpty)
    }

    @Test(arguments: ["-a", "a-", ".a", "a/b", "a b", "ä", "a:b"])
    func invalidLabelValues(value: String) {
        #expect(KubernetesValidation.labelValueProblems(value).count == 1)
    }

    @Test func labelValueTooLong() {
        #expect(KubernetesValidation.labelValueProblems(String(repeating: "v", count: 64)) == ["must be no more than 63 characters"])
    }

    @Test(arguments: ["http", "dns-tcp", "h2", "a", "serve-80", String(repeating: "a", count: 15)])
    func validPortNames(name: String) {
        #expect(KubernetesValidation.portNameProblems(name).isEmpty)
    }

    @Test func invalidPortNamesSayWhy() {
        #expect(KubernetesValidation.portNameProblems("80") == ["must contain at least one letter (a-z)"])
        #expect(KubernetesValidation.portNameProblems("HTTP") == [
            "must contain only lowercase letters, digits and '-'", "must contain at least one letter (a-z)",
        ])
        #expect(KubernetesValidation.portNameProblems("a--b") == ["must not contain consecutive hyphens"])
        #expect(KubernetesValidation.portNameProblems("-http") == ["must not begin or end with a hyphen"])
        #expect(KubernetesValidation.portNameProblems(String(repeating: "a", count: 16)) == ["must be no more than 15 characters"])
    }
}
