import Foundation
import SluiceBreakGlass
import SluiceCore
import Synchronization

/// The most of something there was at once.
final class Gauge: Sendable {
    private let state = Mutex((now: 0, peak: 0))

    var peak: Int { state.withLock { $0.peak } }

    func enter() {
        state.withLock {
            $0.now += 1
            $0.peak = max($0.peak, $0.now)
        }
    }

    func leave() { state.withLock { $0.now -= 1 } }
}

/// A channel whose calls in flight are counted: for the exec channel, the children it runs at once (each call runs
/// one command from its start to its exit).
struct CountedChannel: BreakGlassChannel {
    let inner: any BreakGlassChannel
    let gauge: Gauge

    var name: String { inner.name }
    var maxNodesPerCall: Int { inner.maxNodesPerCall }

    func revert(_ target: RevertTarget) async throws -> String {
        gauge.enter()
        defer { gauge.leave() }
        return try await inner.revert(target)
    }
}

/// Counts this process's children from /proc every 2 ms on a thread of its own, keeping the largest count.
final class ChildSampler: @unchecked Sendable {
    private let running = Atomic<Bool>(true)
    private let peak = Atomic<Int>(0)
    private let finished = DispatchSemaphore(value: 0)

    init() {
        Thread.detachNewThread { [self] in
            while running.load(ordering: .relaxed) {
                peak.store(max(peak.load(ordering: .relaxed), Self.children()), ordering: .relaxed)
                usleep(2000)
            }
            finished.signal()
        }
    }

    /// Stops sampling; the most children seen at once.
    func stop() -> Int {
        running.store(false, ordering: .relaxed)
        finished.wait()
        return peak.load(ordering: .relaxed)
    }

    /// Children of every thread of this process (`/proc/self/task/*/children`, space-separated process ids).
    static func children() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.reduce(0) { count, task in
            let text = (try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? ""
            return count + text.split(separator: " ").count
        }
    }
}
