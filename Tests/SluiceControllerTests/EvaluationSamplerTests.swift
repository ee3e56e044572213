import Testing
@testable import SluiceController
import SluiceCore

@Suite("Which gate evaluations a daemon stores")
struct EvaluationSamplerTests {
    func evaluation(_ verdict: GateEvaluation.Verdict, at: Double, cluster: String = "a") -> GateEvaluation {
        GateEvaluation(gate: "g", cluster: cluster, at: at, windowSeconds: 60, observed: nil, bound: .atMost(1),
                       verdict: verdict, reason: "")
    }

    @Test("A repeated verdict is stored once per interval; a change of verdict at once")
    func thinsRepeats() {
        let sampler = EvaluationSampler(intervalSeconds: 60)
        #expect(sampler.sample([evaluation(.pass, at: 0)], rollout: "r").count == 1)
        #expect(sampler.sample([evaluation(.pass, at: 30)], rollout: "r").isEmpty)
        #expect(sampler.sample([evaluation(.breach, at: 35)], rollout: "r").map(\.verdict) == [.breach])
        #expect(sampler.sample([evaluation(.breach, at: 50)], rollout: "r").isEmpty)
        #expect(sampler.sample([evaluation(.breach, at: 95)], rollout: "r").count == 1)
        #expect(sampler.sample([evaluation(.pass, at: 96, cluster: "b")], rollout: "r").count == 1)
        #expect(sampler.sample([evaluation(.pass, at: 96)], rollout: "other").count == 1)
    }

    @Test("Rollouts no longer reconciled are forgotten, so the sampler does not grow with history")
    func forgetsFinishedRollouts() {
        let sampler = EvaluationSampler(intervalSeconds: 60)
        #expect(sampler.sample([evaluation(.pass, at: 0)], rollout: "done").count == 1)
        #expect(sampler.sample([evaluation(.pass, at: 0)], rollout: "live").count == 1)
        sampler.keepOnly(["live"])
        #expect(sampler.sample([evaluation(.pass, at: 1)], rollout: "live").isEmpty)
        #expect(sampler.sample([evaluation(.pass, at: 1)], rollout: "done").count == 1)
    }
}
