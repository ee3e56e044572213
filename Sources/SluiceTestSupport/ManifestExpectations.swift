public import SluiceManifests
public import Testing

/// The 1-based line of the `occurrence`-th line of `text` that contains `marker`; 0 when there is none.
public func line(of marker: String, in text: String, occurrence: Int = 1) -> Int {
    var seen = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where line.contains(marker) {
        seen += 1
        if seen == occurrence { return index + 1 }
    }
    return 0
}

/// The `ManifestError` that `body` throws; records an issue when it throws nothing or something else.
public func manifestError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> ManifestError? {
    #expect(throws: ManifestError.self, sourceLocation: sourceLocation) { try body() }
}

/// Checks that `error` has a problem at `field` whose message contains `fragment`, in `file` at `line`.
public func expectProblem(
    _ error: ManifestError?, file: String, line: Int, field: String, containing fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let problems = error?.problems ?? []
    guard let problem = problems.first(where: { $0.field == field && $0.message.contains(fragment) })
    else {
        Issue.record(
            "no problem at '\(field)' containing \"\(fragment)\"; found:\n\(ManifestError(problems))",
            sourceLocation: sourceLocation)
        return
    }
    #expect(problem.file == file, sourceLocation: sourceLocation)
    #expect(problem.line == line, "\(problem)", sourceLocation: sourceLocation)
}
