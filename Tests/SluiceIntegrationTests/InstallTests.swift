import Foundation
import SluiceTestSupport
import Testing

/// `scripts/install.sh`, staged into a scratch folder with the binaries the tests run.
@Suite("The install script and the systemd unit")
struct InstallTests {
    static let script = LocalScenario.repositoryRoot + "/scripts/install.sh"

    /// Runs the script with `--destdir` a `stage` folder in `workspace`, and `--bin BIN`.
    static func stage(in workspace: ProcessWorkspace, bin: String) async throws -> (stage: String, status: Int32, output: String) {
        let stage = workspace.root.appendingPathComponent("stage").path
        let run = try await ChildProcess.run("/bin/sh", [script, "--destdir", stage, "--bin", bin])
        return (stage, run.status, run.output)
    }

    @Test("Stages both binaries and a unit whose paths are filled in, which systemd accepts")
    func stagesAnInstall() async throws {
        let workspace = try ProcessWorkspace()
        let (stage, status, output) = try await Self.stage(in: workspace, bin: ProcessWorkspace.binaries.path)
        #expect(status == 0, "\(output)")
        for program in ["sluiced", "sluice"] {
            #expect(FileManager.default.isExecutableFile(atPath: stage + "/usr/local/bin/" + program))
        }
        let unitPath = stage + "/etc/systemd/system/sluiced.service"
        let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
        #expect(!unit.contains("@"))
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        #expect(execStart.hasPrefix("ExecStart=/usr/local/bin/sluiced --driver-config /etc/sluice/driver.yaml"))
        #expect(unit.contains("RestartPreventExitStatus=2 3"))

        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            print("⚠️⚠️⚠️ SKIPPED systemd-analyze verify of the unit: systemd is not installed.")
            return
        }
        // systemd checks that ExecStart's program exists: point it at the staged one.
        let checked = workspace.root.appendingPathComponent("sluiced.service")
        try unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/", with: "ExecStart=\(stage)/usr/local/bin/")
            .write(to: checked, atomically: true, encoding: .utf8)
        let verified = try await ChildProcess.run("/usr/bin/systemd-analyze", ["verify", checked.path])
        #expect(verified.status == 0, "\(verified.output)")
    }

    @Test("Missing binaries and unknown options are refused before anything is written")
    func refusals() async throws {
        let workspace = try ProcessWorkspace()
        let (stage, status, output) = try await Self.stage(in: workspace, bin: workspace.root.path)
        #expect(status == 1)
        #expect(output.contains("no sluiced in \(workspace.root.path)"))
        let unknown = try await ChildProcess.run("/bin/sh", [Self.script, "--prefx", "/opt"])
        #expect(unknown.status == 2)
        #expect(unknown.output.contains("unknown option --prefx"))
        #expect(!FileManager.default.fileExists(atPath: stage))
    }
}
