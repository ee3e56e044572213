import Foundation
import SluiceController
import Synchronization

/// Kills the daemon with SIGKILL at a named step, for crash tests: `SLUICE_FAULT=after-driver:3` dies the third
/// time a driver call returns. Several points may be listed, comma-separated.
enum FaultSwitch {
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FaultHook {
        guard let text = environment["SLUICE_FAULT"], !text.isEmpty else { return { _ in } }
        var targets: [FaultPoint: Int] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":")
            guard let point = FaultPoint(rawValue: String(parts[0])) else { continue }
            targets[point] = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        }
        let counts = Mutex<[FaultPoint: Int]>([:])
        return { [targets] point in
            guard let target = targets[point] else { return }
            let reached = counts.withLock { counts in
                counts[point, default: 0] += 1
                return counts[point]!
            }
            if reached == target { kill(getpid(), SIGKILL) }
        }
    }
}
