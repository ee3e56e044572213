import SluiceCore

/// The time range every chart of a report shares, on the controller's clock, mapped onto the plot's x coordinates.
///
/// On a production daemon the controller's clock is the wall clock (Unix seconds); a simulated run has virtual seconds
/// from 0 (below ``ControllerTime/unixThreshold``). Ticks fall on round times of that clock (see
/// ``ticks(start:end:)``).
struct TimeAxis {
    var start: Double
    var end: Double

    /// From the first to the last controller-clock time in the input (journal, evaluations, the daemon's events and
    /// clusters' finish times) and the decisions placed on that clock, people's included.
    init(_ input: ReportInput, decisions: [ReportDecision]) {
        let times = input.controllerClockTimes + decisions.compactMap(\.controllerAt)
        self.init(start: times.min() ?? 0, end: times.max() ?? 1)
    }

    /// A range of at least one second from `start`.
    init(start: Double, end: Double) {
        self.start = start
        self.end = max(end, start + 1)
    }

    /// The x coordinate of `time`, clamped to the plot.
    func x(_ time: Double) -> Double {
        let clamped = min(max(time, start), end)
        return RolloutReport.labelWidth + (clamped - start) / (end - start) * RolloutReport.plotWidth
    }

    /// The ticks of this axis.
    var ticks: [AxisTick] { Self.ticks(start: start, end: end) }

    /// What the tick labels are in, said once per chart section: the UTC date(s) on the wall clock, or virtual time.
    var caption: String { Self.caption(start: start, end: end) }

    // MARK: Round ticks

    /// Tick steps in seconds, smallest first: 10 s to 1 day; longer ranges step in whole days (see
    /// ``step(start:end:)``).
    static let stepLadderSeconds: [Double] = [
        10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
    ]

    /// The number of multiples of `step` in `[start, end]`.
    static func tickCount(start: Double, end: Double, step: Double) -> Int {
        let first = (start / step).rounded(.up)
        let last = (end / step).rounded(.down)
        return last >= first ? Int(min(last - first + 1, 1e9)) : 0
    }

    /// The step, in seconds, for ticks over `[start, end]`: of the ladder's steps (and, past a day, 2, 5, 7, 14, 30,
    /// 60, 90, 180 or 365 days) the one whose count of multiples in the range is within 4–8 and closest to 6 (the
    /// larger step on a tie); when none is within 4–8, the one closest to that range.
    static func step(start: Double, end: Double) -> Double {
        let days: [Double] = [2, 5, 7, 14, 30, 60, 90, 180, 365].map { $0 * 86_400 }
        var best = stepLadderSeconds[0]
        var bestScore = (Int.max, Int.max)
        for step in stepLadderSeconds + days {
            let count = tickCount(start: start, end: end, step: step)
            let outside = count < 4 ? 4 - count : count > 8 ? count - 8 : 0
            let score = (outside, abs(count - 6))
            if score.0 < bestScore.0 || (score.0 == bestScore.0 && score.1 <= bestScore.1) {
                best = step
                bestScore = score
            }
        }
        // A range of centuries: whole days, about 6 ticks.
        if bestScore.0 > 0 && tickCount(start: start, end: end, step: best) > 8 {
            best = ((end - start) / 6 / 86_400).rounded(.up) * 86_400
        }
        return best
    }

    /// Ticks at the multiples of ``step(start:end:)`` in `[start, end]`, labelled `HH:MM` UTC on the wall clock
    /// (`HH:MM:SS` for steps under a minute, the date for steps of a day or more) and `T+…` in virtual time.
    ///
    /// Multiples of the step are round times: on the wall clock Unix seconds are UTC, so a 15 min step lands on :00,
    /// :15, :30, :45 and a day step on midnight UTC. A range with no multiple gets one tick at its start.
    static func ticks(start: Double, end: Double) -> [AxisTick] {
        let step = step(start: start, end: end)
        let first = (start / step).rounded(.up)
        let last = (end / step).rounded(.down)
        let times = last >= first ? stride(from: first, through: last, by: 1).map { $0 * step } : [start]
        return times.map { AxisTick(time: $0, label: label($0, step: step)) }
    }

    /// A tick's text: see ``ticks(start:end:)``.
    static func label(_ time: Double, step: Double) -> String {
        guard time >= ControllerTime.unixThreshold else { return ControllerTime.format(time) }
        let iso = ControllerTime.format(time)  // YYYY-MM-DDTHH:MM:SSZ
        let clock = iso.dropFirst(11).prefix(step < 60 ? 8 : 5)
        return step >= 86_400 ? String(iso.prefix(10)) : String(clock)
    }

    /// The UTC date(s) an axis over `[start, end]` spans, or that its times are virtual.
    static func caption(start: Double, end: Double) -> String {
        guard start >= ControllerTime.unixThreshold else {
            return "Times on the axes are the controller's virtual time since the run began (T+)."
        }
        let first = String(ControllerTime.format(start).prefix(10))
        let last = String(ControllerTime.format(end).prefix(10))
        if first == last { return "Times on the axes are UTC, on \(first)." }
        let days = Int((end / 86_400).rounded(.down) - (start / 86_400).rounded(.down))
        return days == 1
            ? "Times on the axes are UTC, from \(first) to \(last) (the date changes at 00:00)."
            : "Times on the axes are UTC, from \(first) to \(last)."
    }
}

/// A tick on a time axis: the controller-clock time it marks and its label.
struct AxisTick: Equatable {
    var time: Double
    var label: String
}
