import Foundation
import SluiceManifests
import Testing
import SluiceTestSupport

/// Files that are not manifests at all: each gives one whole-file problem, never a crash or a YAML library's dump.
@Suite struct ManifestFileTests {
    /// The single problem of loading `path` as a fleet; records an issue when there is not exactly one.
    func onlyProblem(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ManifestProblem {
        let error = manifestError(sourceLocation: sourceLocation) { _ = try FleetManifest.load(path) }
        #expect(error?.problems.count == 1, sourceLocation: sourceLocation)
        return try #require(error?.problems.first, sourceLocation: sourceLocation)
    }

    @Test func anEmptyFileIsRefused() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", "")
        let problem = try onlyProblem(path)
        #expect(problem == ManifestProblem(file: path, line: 0, field: "", message: "the file is empty"))
        #expect(problem.description == "\(path): the file is empty")
    }

    @Test func aWhitespaceOnlyFileIsEmpty() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", "  \n\n\t\n   \n")
        let problem = try onlyProblem(path)
        #expect(problem == ManifestProblem(file: path, line: 0, field: "", message: "the file is empty"))
    }

    @Test func aCommentOnlyFileIsEmpty() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", "# nothing yet\n")
        let problem = try onlyProblem(path)
        #expect(problem.line == 0)
        #expect(problem.message == "the file is empty")
    }

    @Test func aMissingFileIsRefused() throws {
        let folder = try ScratchFolder()
        let problem = try onlyProblem(folder.path("nowhere.yaml"))
        #expect(problem.line == 0)
        #expect(problem.message == "no such file")
    }

    @Test func aDirectoryIsRefused() throws {
        let folder = try ScratchFolder()
        try FileManager.default.createDirectory(atPath: folder.path("fleet.yaml"), withIntermediateDirectories: true)
        let problem = try onlyProblem(folder.path("fleet.yaml"))
        #expect(problem.line == 0)
        #expect(problem.field == "")
        #expect(problem.message.contains("is a directory; give the path of a YAML file"))
    }

    @Test func aBinaryFileIsRefused() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", data: Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00, 0x41]))
        let problem = try onlyProblem(path)
        #expect(problem.line == 0)
        #expect(problem.message == "is a binary file, not YAML")
    }

    @Test func aFileOverFourMebibytesIsRefusedBeforeParsing() throws {
        let folder = try ScratchFolder()
        let line = "# " + String(repeating: "x", count: 97) + "\n"
        let text = String(repeating: line, count: 50_000)  // 5,000,000 bytes
        let path = try folder.write("fleet.yaml", text)
        let problem = try onlyProblem(path)
        #expect(problem.line == 0)
        #expect(problem.message.contains("is 4882 KiB; a manifest is at most 4096 KiB, is this the right file?"))
    }

    @Test func malformedYAMLIsPlacedAtTheLineOfTheError() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            spec:
              clusters:
                - name: east: west
                  nodes: 4

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let problem = try onlyProblem(path)
        #expect(problem.line == line(of: "east: west", in: text))
        #expect(problem.field == "")
        #expect(problem.message.hasPrefix("malformed YAML: "))
    }

    @Test func anUnclosedFlowListIsPlacedNearTheError() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            spec:
              clusters:
                - name: east
                  nodeNames: [a, b
                  nodes: 4

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let problem = try onlyProblem(path)
        #expect(problem.line >= line(of: "nodeNames", in: text))
        #expect(problem.message.hasPrefix("malformed YAML: "))
    }

    @Test func nonUTF8BytesAreRefused() throws {
        let folder = try ScratchFolder()
        var data = Data("apiVersion: sluice.dev/v1\nkind: Fleet\nmetadata:\n  name: caf".utf8)
        data.append(contentsOf: [0xE9, 0x0A])  // Latin-1 "é"
        let path = try folder.write("fleet.yaml", data: data)
        let problem = try onlyProblem(path)
        #expect(problem.line == 0)
        #expect(problem.message == "is not UTF-8 text")
    }

    @Test func aTopLevelListIsNotAManifest() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", "- a\n- b\n")
        let problem = try onlyProblem(path)
        #expect(problem.line == 1)
        #expect(problem.field == "")
        #expect(problem.message == "expected a mapping of apiVersion, kind, metadata, spec")
    }

    @Test func aMisspeltTopLevelFieldIsPlaced() throws {
        let text = """
            apiVersion: sluice.dev/v1
            kind: Fleet
            metadata:
              name: demo
            specs:
              clusters: []

            """
        let folder = try ScratchFolder()
        let path = try folder.write("fleet.yaml", text)
        let error = manifestError { _ = try FleetManifest.load(path) }
        expectProblem(error, file: path, line: 5, field: "specs", containing: "unknown field; did you mean 'spec'?")
    }
}
