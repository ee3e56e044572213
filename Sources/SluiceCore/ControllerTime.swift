/// A time on the controller's clock for people: `T+<duration>` for virtual times, ISO 8601 UTC for Unix times.
public enum ControllerTime {
    /// Times below this are virtual seconds from 0; above it, Unix seconds.
    public static let unixThreshold = 1_000_000_000.0

    /// The wall time of something that happened at controller time `at` and was recorded at wall time `recorded`:
    /// `recorded` when known, else `at` itself when it is Unix seconds, else unknown.
    public static func wallTime(at: Double, recorded: Double?) -> Double? {
        recorded ?? (at >= unixThreshold ? at : nil)
    }

    /// `at` when it is virtual seconds, nil when it is Unix seconds.
    public static func virtualTime(_ at: Double) -> Double? { at < unixThreshold ? at : nil }

    /// The wall time to record for something at controller time `at` happening now: `at` itself when it is Unix
    /// seconds (a person's request, a break-glass run), else the wall clock's reading `now`.
    public static func recordedWallTime(at: Double, now: Double) -> Double { at >= unixThreshold ? at : now }

    /// A wall time as RFC 3339 UTC, or nil when it is unknown.
    public static func wallText(_ seconds: Double?) -> String? { seconds.map(format) }

    public static func format(_ seconds: Double) -> String {
        if seconds < unixThreshold { return "T+" + DurationText.format(seconds) }
        let total = Int(seconds.rounded(.down))
        let days = total / 86_400
        let rest = total % 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }

    /// Howard Hinnant's days-to-civil conversion (proleptic Gregorian, UTC).
    static func civilDate(daysSinceEpoch: Int) -> (Int, Int, Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
