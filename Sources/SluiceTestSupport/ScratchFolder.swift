public import Foundation

/// A fresh folder under the system's temporary directory, removed when the value is released.
///
/// Tests run in parallel in one process, so every test makes its own and never touches a shared path.
public final class ScratchFolder: @unchecked Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The absolute path of `relativePath` inside the folder.
    public func path(_ relativePath: String) -> String {
        url.appendingPathComponent(relativePath).path
    }

    /// Writes `text` at `relativePath` (creating its folders) and returns the file's absolute path.
    @discardableResult
    public func write(_ relativePath: String, _ text: String) throws -> String {
        try write(relativePath, data: Data(text.utf8))
    }

    /// Writes raw bytes at `relativePath` (creating its folders) and returns the file's absolute path.
    @discardableResult
    public func write(_ relativePath: String, data: Data) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }

    /// The lines of the file at `relativePath`, or none when it does not exist.
    public func lines(_ relativePath: String) -> [String] {
        guard let text = try? String(contentsOfFile: path(relativePath), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").map(String.init)
    }
}
