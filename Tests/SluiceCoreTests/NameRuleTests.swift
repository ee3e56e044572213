import SluiceCore
import Testing

/// Kubernetes' naming rules and the last check on values put into commands.
@Suite struct NameRuleTests {
    @Test(arguments: [
        ("-rf", "it starts with '-'"),
        ("--kubeconfig=/tmp/evil", "it contains '=' and '/', and starts with '-'"),
        ("east.1", "it contains '.'"),
        ("east\nwest", "it contains '\\n'"),
        ("Ab_c", "it contains 'A' and '_'"),
        ("a-", "it ends with '-'"),
        ("٣", "it contains '٣'"),
        ("-a.", "it contains '.', and starts with '-'"),
        ("", "it is empty"),
    ])
    func aLabelSaysWhatBreaksTheRule(name: String, problem: String) {
        #expect(KubernetesName.labelProblem(name) == problem)
    }

    @Test(arguments: [
        ("../../..", "it contains '/', starts with '.', ends with '.', and has a part between dots that is empty or "
            + "starts or ends with '-'"),
        ("a.-b", "it has a part between dots that is empty or starts or ends with '-'"),
        (String(repeating: "a", count: 254), "it is 254 characters long, over 253"),
    ])
    func aSubdomainSaysWhatBreaksTheRule(name: String, problem: String) {
        #expect(KubernetesName.subdomainProblem(name) == problem)
    }

    @Test(arguments: ["a", "0", "prod-us-east-1", String(repeating: "z", count: 63)])
    func validLabelsPass(name: String) {
        #expect(KubernetesName.labelProblem(name) == nil)
        #expect(KubernetesName.subdomainProblem(name) == nil)
    }

    @Test func validSubdomainsPass() {
        #expect(KubernetesName.subdomainProblem("ip-10-0-0-1.ec2.internal") == nil)
        #expect(KubernetesName.labelProblem(String(repeating: "z", count: 64)) == "it is 64 characters long, over 63")
    }

    @Test func quotedEscapesControlCharactersAndCutsLongValues() {
        #expect(KubernetesName.quoted("a\nb\u{7}") == "'a\\nb\\u{7}'")
        #expect(KubernetesName.quoted(String(repeating: "x", count: 100), limit: 3) == "'xxx...' (100 characters)")
    }

    @Test(arguments: [
        ("-rf", true, "it starts with '-', so a command could take it for an option"),
        ("--force", false, "it starts with '-', so a command could take it for an option"),
        ("a\u{0}b", false, "it contains the control character '\\u{0}'"),
        ("a\nb", true, "it contains the control character '\\n'"),
        ("../etc", true, "it contains '/', so a command could take it for a path"),
        ("..", true, "it is '..', a path of its own"),
        ("", true, "it is empty"),
    ])
    func aValueThatCouldBecomeAnOptionOrPathIsRefused(value: String, isPathComponent: Bool, problem: String) {
        #expect(CommandValue.problem(value, isPathComponent: isPathComponent) == problem)
    }

    @Test(arguments: ["node-1", "ip-10-0-0-1.ec2.internal", "Weird_But_Harmless"])
    func harmlessValuesPass(value: String) {
        #expect(CommandValue.problem(value, isPathComponent: true) == nil)
        #expect(CommandValue.problem("release/2.0", isPathComponent: false) == nil)
    }
}
