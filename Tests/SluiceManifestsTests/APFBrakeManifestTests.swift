import Foundation
import SluiceCore
import SluiceManifests
import Testing
import SluiceTestSupport

/// `spec.apfBrake` in plans (the driver's brake steps are in `ExecDriverManifestTests`).
@Suite struct APFBrakeManifestTests {
    /// The shared test plan with `field` (one line, indented) added to its spec.
    static func plan(_ field: String) -> String {
        Manifests.plan(waves: Manifests.canaryWave).replacingOccurrences(of: "  waves:\n", with: "\(field)\n  waves:\n")
    }

    func load(_ field: String) throws -> LoadedPlan {
        let folder = try ScratchFolder()
        return try PlanLoader().load(try Manifests.writePlanFolder(folder, plan: Self.plan(field)))
    }

    @Test func aPlanBrakeReadsTheServiceAccountAndTheShare() throws {
        let sized = try load("  apfBrake: {serviceAccount: observability/agent-sa, maxSeatShare: 5%}")
        let expected = APFBrakeSpec(serviceAccount: "agent-sa", namespace: "observability", maxSeatShare: 0.05)
        #expect(sized.plan.apfBrake == expected)
        #expect(sized.spec.apfBrake == expected)
        let unsized = try load("  apfBrake: {serviceAccount: observability/agent-sa}")
        #expect(unsized.spec.apfBrake?.maxSeatShare == APFBrakeSpec.defaultMaxSeatShare)
        #expect(try load("").spec.apfBrake == nil)
    }

    @Test("A bad service account or share is refused at its line", arguments: [
        ("apfBrake: {serviceAccount: agent-sa}", "agent-sa", "spec.apfBrake.serviceAccount", "is not namespace/name"),
        ("apfBrake: {serviceAccount: Obs/agent}", "Obs/agent", "spec.apfBrake.serviceAccount", "not a service account"),
        ("apfBrake: {serviceAccount: o/a, maxSeatShare: 60%}", "60%", "spec.apfBrake.maxSeatShare", "at most 50%"),
        ("apfBrake: {serviceAccount: o/a, maxSeatShare: 0.1}", "0.1", "spec.apfBrake.maxSeatShare", "like 10%"),
    ])
    func badBrakeFields(field: String, marker: String, path: String, message: String) throws {
        let text = Self.plan("  " + field)
        let folder = try ScratchFolder()
        let file = try Manifests.writePlanFolder(folder, plan: text)
        let error = manifestError { _ = try PlanLoader().load(file) }
        expectProblem(error, file: file, line: line(of: marker, in: text), field: path, containing: message)
    }
}
