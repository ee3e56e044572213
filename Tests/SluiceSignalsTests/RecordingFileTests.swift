import Foundation
import SluiceSignals
import Testing
import SluiceTestSupport

/// Checks every part of a recording error: the file, the 1-based line (0 for the whole file) and the message.
func expectError(
    _ error: RecordingError?, file: String, line: Int, message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(error?.file == file, sourceLocation: sourceLocation)
    #expect(error?.line == line, sourceLocation: sourceLocation)
    #expect(error?.message == message, sourceLocation: sourceLocation)
}

@Suite struct RecordingFileTests {
    @Test func csvWithHeaderCommentsAndBlankLinesIsRead() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.csv", """
            timestamp,cluster,signal,value
            # the canary's first minute

            0,east,latency, 0.25
            30.5,east,latency,0.5
            60, west , errors , 1e-3

            """)
        let samples = try RecordingFile.read(path)
        #expect(samples == [
            RecordedSample(timestamp: 0, cluster: "east", signal: "latency", value: 0.25),
            RecordedSample(timestamp: 30.5, cluster: "east", signal: "latency", value: 0.5),
            RecordedSample(timestamp: 60, cluster: "west", signal: "errors", value: 0.001),
        ])
    }

    @Test func windowsLineEndingsAreRead() throws {
        let folder = try ScratchFolder()
        let csv = try folder.write("crlf.csv", "timestamp,cluster,signal,value\r\n1,a,s,0.5\r\n2,a,s,0.25\r\n")
        #expect(try RecordingFile.read(csv).map(\.value) == [0.5, 0.25])
        let jsonl = try folder.write("crlf.jsonl", "{\"timestamp\":1,\"cluster\":\"a\",\"signal\":\"s\",\"value\":2}\r\n")
        #expect(try RecordingFile.read(jsonl).map(\.value) == [2])
    }

    @Test func aHeaderAfterCommentsIsStillTheHeader() throws {
        let folder = try ScratchFolder()
        let csv = try folder.write("commented.csv", "# recorded by sluice\ntimestamp,cluster,signal,value\n1,a,s,3\n")
        #expect(try RecordingFile.read(csv).map(\.value) == [3])
    }

    @Test func csvWithoutHeaderIsRead() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.CSV", "10,east,latency,2\n")
        #expect(try RecordingFile.read(path) == [
            RecordedSample(timestamp: 10, cluster: "east", signal: "latency", value: 2)
        ])
    }

    @Test func emptyAndNaNValuesAreKeptAsNaNAndInfinitiesAsInfinities() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.csv", """
            timestamp,cluster,signal,value
            1,east,latency,
            2,east,latency,NaN
            3,east,latency,nan
            4,east,latency,+Inf
            5,east,latency,-Inf

            """)
        let values = try RecordingFile.read(path).map(\.value)
        #expect(values.count == 5)
        #expect(values.prefix(3).allSatisfy { $0.isNaN })
        #expect(values[3] == .infinity)
        #expect(values[4] == -.infinity)
    }

    @Test func aCSVLineWithTheWrongFieldCountIsPlaced() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.csv", """
            timestamp,cluster,signal,value
            1,east,latency,0.5

            # a comment still counts as a line
            2,east,0.5

            """)
        let error = #expect(throws: RecordingError.self) { try RecordingFile.read(path) }
        expectError(error, file: path, line: 5, message: "expected 4 fields (timestamp,cluster,signal,value), found 3")
        #expect(error?.description == "\(path):5: expected 4 fields (timestamp,cluster,signal,value), found 3")
    }

    @Test(arguments: [
        ("soon,east,latency,1", "timestamp 'soon' is not a number of seconds"),
        ("inf,east,latency,1", "timestamp 'inf' is not a number of seconds"),
        ("1,,latency,1", "cluster and signal are required"),
        ("1,east,,1", "cluster and signal are required"),
        ("1,east,latency,high", "value 'high' is not a number"),
    ])
    func aBadCSVFieldIsPlacedAtItsLine(line: String, message: String) throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.csv", "timestamp,cluster,signal,value\n0,east,latency,1\n\(line)\n")
        let error = #expect(throws: RecordingError.self) { try RecordingFile.read(path) }
        expectError(error, file: path, line: 3, message: message)
    }

    @Test func jsonLinesAreRead() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.jsonl", """
            {"timestamp": 0, "cluster": "east", "signal": "latency", "value": 0.25}
            # comments and blank lines are skipped

            {"timestamp": 1.5, "cluster": "east", "signal": "latency", "value": "0.5"}
            {"timestamp": 2, "cluster": "east", "signal": "latency", "value": 3}

            """)
        #expect(try RecordingFile.read(path) == [
            RecordedSample(timestamp: 0, cluster: "east", signal: "latency", value: 0.25),
            RecordedSample(timestamp: 1.5, cluster: "east", signal: "latency", value: 0.5),
            RecordedSample(timestamp: 2, cluster: "east", signal: "latency", value: 3),
        ])
    }

    @Test func jsonNullMissingAndNaNValuesAreKeptAsNaN() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.ndjson", """
            {"timestamp": 1, "cluster": "east", "signal": "latency", "value": null}
            {"timestamp": 2, "cluster": "east", "signal": "latency"}
            {"timestamp": 3, "cluster": "east", "signal": "latency", "value": "NaN"}
            {"timestamp": 4, "cluster": "east", "signal": "latency", "value": ""}
            {"timestamp": 5, "cluster": "east", "signal": "latency", "value": "+Inf"}

            """)
        let samples = try RecordingFile.read(path)
        #expect(samples.map(\.timestamp) == [1, 2, 3, 4, 5])
        #expect(samples.prefix(4).allSatisfy { $0.value.isNaN })
        #expect(samples[4].value == .infinity)
    }

    @Test(arguments: [
        (#"[1, "east", "latency", 2]"#, "not a JSON object"),
        (#"{"timestamp": 1, "cluster": "east""#, "not a JSON object"),
        (#"{"timestamp": "1", "cluster": "east", "signal": "latency", "value": 1}"#,
         "\"timestamp\" must be a number of seconds"),
        (#"{"cluster": "east", "signal": "latency", "value": 1}"#, "\"timestamp\" must be a number of seconds"),
        (#"{"timestamp": 1, "cluster": 7, "signal": "latency", "value": 1}"#,
         "\"cluster\" and \"signal\" must be strings"),
        (#"{"timestamp": 1, "cluster": "east", "value": 1}"#, "\"cluster\" and \"signal\" must be strings"),
        (#"{"timestamp": 1, "cluster": "east", "signal": "latency", "value": [1]}"#,
         "\"value\" must be a number, null or \"NaN\""),
        (#"{"timestamp": 1, "cluster": "east", "signal": "latency", "value": "fast"}"#, "value 'fast' is not a number"),
    ])
    func aBadJSONLineIsPlacedAtItsLine(line: String, message: String) throws {
        let folder = try ScratchFolder()
        let good = #"{"timestamp": 0, "cluster": "east", "signal": "latency", "value": 1}"#
        let path = try folder.write("rec.jsonl", "\(good)\n\n\(line)\n\(good)\n")
        let error = #expect(throws: RecordingError.self) { try RecordingFile.read(path) }
        expectError(error, file: path, line: 3, message: message)
    }

    @Test func anUnknownExtensionIsRefused() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("rec.txt", "0,east,latency,1\n")
        let error = #expect(throws: RecordingError.self) { try RecordingFile.read(path) }
        #expect(error?.line == 0)
        #expect(error?.message == "unknown recording format; name the file .csv or .jsonl")
        #expect(error?.description == "\(path): unknown recording format; name the file .csv or .jsonl")
    }

    @Test func aMissingFileOrDirectoryIsRefused() throws {
        let folder = try ScratchFolder()
        try FileManager.default.createDirectory(atPath: folder.path("dir.csv"), withIntermediateDirectories: false)
        for path in [folder.path("gone.csv"), folder.path("dir.csv")] {
            let error = #expect(throws: RecordingError.self) { try RecordingFile.read(path) }
            #expect(error?.line == 0)
            #expect(error?.message.hasPrefix("cannot be read") == true)
        }
    }

    @Test func binaryAndNonUTF8FilesAreRefused() throws {
        let folder = try ScratchFolder()
        let binary = try folder.write("a.csv", data: Data([0x31, 0x2C, 0x00, 0x61]))
        let latin1 = try folder.write("b.csv", data: Data([0x31, 0x2C, 0x63, 0x61, 0x66, 0xE9, 0x2C, 0x78, 0x2C, 0x31]))
        for path in [binary, latin1] {
            let error = #expect(throws: RecordingError.self) { try RecordingFile.read(path) }
            expectError(error, file: path, line: 0, message: "is not UTF-8 text")
        }
    }

    @Test(arguments: RecordingFile.Format.allCases)
    func renderedRecordingsReadBackTheSameSamples(format: RecordingFile.Format) throws {
        let samples = [
            RecordedSample(timestamp: 0, cluster: "east", signal: "latency", value: 0.125),
            RecordedSample(timestamp: 15.5, cluster: "east", signal: "latency", value: .nan),
            RecordedSample(timestamp: 30, cluster: "west", signal: "errors", value: .infinity),
            RecordedSample(timestamp: 45, cluster: "west", signal: "errors", value: -.infinity),
            RecordedSample(timestamp: 60, cluster: "west", signal: "errors", value: -2),
        ]
        let folder = try ScratchFolder()
        let path = try folder.write("rec.\(format.rawValue)", RecordingFile.render(samples, format: format))
        let read = try RecordingFile.read(path)
        #expect(read.count == samples.count)
        for (original, copy) in zip(samples, read) {
            #expect(copy.timestamp == original.timestamp)
            #expect(copy.cluster == original.cluster)
            #expect(copy.signal == original.signal)
            #expect(copy.value == original.value || (copy.value.isNaN && original.value.isNaN))
        }
    }

    @Test func formatsFollowTheExtension() {
        #expect(RecordingFile.Format(path: "/x/rec.csv") == .csv)
        #expect(RecordingFile.Format(path: "rec.JSONL") == .jsonl)
        #expect(RecordingFile.Format(path: "rec.ndjson") == .jsonl)
        #expect(RecordingFile.Format(path: "rec.json") == nil)
        #expect(RecordingFile.Format(path: "rec") == nil)
    }
}
