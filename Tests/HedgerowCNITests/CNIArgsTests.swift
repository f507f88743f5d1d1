import Testing

@testable import HedgerowCNI

@Suite struct CNIArgsTests {
    @Test func parsesPairsInOrder() throws {
        let args = try CNIArgs(parsing: "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a;FOO=bar")
        #expect(args.pairs == [CNIArg("IgnoreUnknown", "1"), CNIArg("K8S_POD_NAMESPACE", "x"), CNIArg("K8S_POD_NAME", "a"), CNIArg("FOO", "bar")])
        #expect(args.ignoreUnknown && args.podNamespace == "x" && args.podName == "a" && args.podUID == nil)
        #expect(args["FOO"] == "bar")
        #expect(args.description == "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a;FOO=bar")
    }

    @Test func emptyIsNoArgs() throws {
        let args = try CNIArgs(parsing: "")
        #expect(args.pairs.isEmpty && !args.ignoreUnknown && args.podName == nil)
    }

    @Test func emptyValuesAreAllowed() throws {
        #expect(try CNIArgs(parsing: "K8S_POD_UID=").podUID == "")
    }

    @Test(arguments: ["K8S_POD_NAME", "K8S_POD_NAME=a=b", "=a", "K8S_POD_NAME=a;", ";K8S_POD_NAME=a", "a=1;;b=2"])
    func malformedPairsAreErrors(text: String) {
        do {
            _ = try CNIArgs(parsing: text, knownKeys: ["K8S_POD_NAME", "a", "b"])
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidEnvironmentVariables)
            #expect(error.message.hasPrefix("CNI_ARGS: invalid pair"))
        }
    }

    @Test func unknownKeysNeedIgnoreUnknown() throws {
        #expect(throws: CNIError(
            .invalidEnvironmentVariables, "CNI_ARGS: unknown args [\"FOO=bar\", \"BAZ=1\"]",
            details: "pass IgnoreUnknown=1 to ignore arguments the plugin does not know")) {
            try CNIArgs(parsing: "K8S_POD_NAME=a;FOO=bar;BAZ=1")
        }
        #expect(throws: CNIError.self) { try CNIArgs(parsing: "IgnoreUnknown=0;FOO=bar") }
        #expect(try CNIArgs(parsing: "IgnoreUnknown=true;FOO=bar")["FOO"] == "bar")
        #expect(try CNIArgs(parsing: "FOO=bar;IgnoreUnknown=TRUE")["FOO"] == "bar")
    }

    @Test func ignoreUnknownMustBeABoolean() {
        #expect(throws: CNIError(.invalidEnvironmentVariables, "CNI_ARGS: IgnoreUnknown=yes is not a boolean (1, true, 0, false)")) {
            try CNIArgs(parsing: "IgnoreUnknown=yes")
        }
    }

    @Test func customKnownKeys() throws {
        #expect(try CNIArgs(parsing: "MY_KEY=v", knownKeys: ["MY_KEY"])["MY_KEY"] == "v")
        #expect(throws: CNIError.self) { try CNIArgs(parsing: "K8S_POD_NAME=a", knownKeys: ["MY_KEY"]) }
    }

    @Test func lastValueWins() throws {
        #expect(try CNIArgs(parsing: "K8S_POD_NAME=a;K8S_POD_NAME=b").podName == "b")
    }
}
