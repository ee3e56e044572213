import Foundation
import SluiceBenchSupport

extension Spawn {
    /// `xargs -P parallelism -n 1 true` over `count` lines: `count` processes, `parallelism` at once.
    static func xargs(count: Int, parallelism: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xargs")
        process.arguments = ["-P", "\(parallelism)", "-n", "1", "true"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(String(repeating: "x\n", count: count).utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
