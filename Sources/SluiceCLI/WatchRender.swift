import SluiceCore

/// Text renderings of a ``WatchModel``: the full-screen frame for a terminal, and one line per change for pipes.
enum WatchRender {
    /// ANSI styles, or nothing when colour is off.
    struct Style {
        var color: Bool

        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func bold(_ text: String) -> String { paint(text, "1") }
        func dim(_ text: String) -> String { paint(text, "2") }
        func green(_ text: String) -> String { paint(text, "32") }
        func red(_ text: String) -> String { paint(text, "31") }
        func yellow(_ text: String) -> String { paint(text, "33") }
        func cyan(_ text: String) -> String { paint(text, "36") }
        func banner(_ text: String) -> String { paint(text, "1;37;41") }
    }

    // MARK: Plain lines

    /// One line describing the rollout, which changes only when the stored state does (no countdowns in it).
    static func line(_ model: WatchModel) -> String {
        var parts: [String] = []
        if let last = model.events.last { parts.append(last.shownTime) }
        parts.append(model.rollout.phase.rawValue)
        parts.append("clusters \(model.clustersDone)/\(model.clusters)")
        parts.append("nodes \(model.nodesDone)/\(model.nodes)")
        var next = "next: \(model.next.text)"
        if let at = model.next.at { next += " at \(at)" }
        parts.append(next)
        parts.append("gates: " + gateSummary(model.gates))
        if let last = model.events.last { parts.append("last: \(last.verb) \(last.message)") }
        for banner in model.banners { parts.append("! " + bannerText(banner)) }
        return parts.joined(separator: "  ")
    }

    static func gateSummary(_ gates: [WatchModel.GateRow]) -> String {
        let counts = WatchModel.ShownVerdict.allCases.compactMap { verdict -> String? in
            let count = gates.filter { $0.verdict == verdict }.count
            return count > 0 ? "\(count) \(verdict.words)" : nil
        }
        return counts.isEmpty ? "none" : counts.joined(separator: ", ")
    }

    static func bannerText(_ banner: WatchModel.Banner) -> String {
        banner.message + (banner.since.map { " (since \($0))" } ?? "")
    }

    // MARK: The terminal frame

    static let barWidth = 20

    /// The full frame, one string per screen line.
    static func screen(_ model: WatchModel, style: Style) -> [String] {
        header(model, style: style) + [""] + clusterTable(model.rollout, style: style) + [""]
            + gateTable(model.gates, style: style) + [""] + eventLines(model.events, style: style)
    }

    /// The rollout, its phase and clocks, banners, what comes next, and the progress in numbers.
    static func header(_ model: WatchModel, style: Style) -> [String] {
        let view = model.rollout
        let elapsed = model.elapsedSeconds.map { "elapsed \(DurationText.format($0))" } ?? "not started"
        let virtual = model.virtualSeconds.map { style.dim("  virtual clock \(ControllerTime.format($0))") } ?? ""
        var lines = ["\(style.bold(view.name))  \(view.artifact)  \(phase(view.phase, style: style))  \(elapsed)\(virtual)"]
        for banner in model.banners { lines.append(style.banner(" ! " + bannerText(banner) + " ")) }
        var next = "Next:     \(model.next.text)"
        if let seconds = model.next.inSeconds { next += ", in \(DurationText.format(seconds))" }
        lines.append(style.bold(next))
        lines.append("Message:  \(view.message)")
        if view.observedGeneration < view.generation {
            lines.append(style.yellow("Pending:  \(view.pendingRequests.joined(separator: ", ")) (sluiced has not acted on it yet)"))
        }
        lines.append("Progress: \(model.clustersDone)/\(model.clusters) clusters, \(model.nodesDone)/\(model.nodes) nodes")
        return lines
    }

    /// Clusters in columns shared across waves; each wave is a heading line above its clusters.
    static func clusterTable(_ view: RolloutView, style: Style) -> [String] {
        var rows: [[String]] = [["  CLUSTER", "STATE", "NODES", "", "BATCH", "BAKE LEFT"]]
        for wave in view.waves {
            for cluster in wave.clusters {
                rows.append([
                    "  " + cluster.name, cluster.state.text, bar(cluster.nodesDone, of: cluster.nodes),
                    "\(cluster.nodesDone)/\(cluster.nodes)", cluster.batch, short(cluster.bakeRemainingSeconds),
                ])
            }
        }
        var clusterLines = columns(rows)[...]
        var lines = [style.dim(clusterLines.removeFirst())]
        for wave in view.waves {
            let approval = wave.approval == "manual" ? ", manual approval" : ""
            lines.append(style.bold("\(wave.name)") + style.dim(" (\(wave.state.rawValue)\(approval))"))
            for cluster in wave.clusters {
                lines.append(paintState(clusterLines.removeFirst(), state: cluster.state, style: style))
            }
        }
        return lines
    }

    /// Each gate's latest verdict, coloured, with when it was last evaluated: values from an old pass (a wave
    /// waiting for approval) are not news.
    static func gateTable(_ gates: [WatchModel.GateRow], style: Style) -> [String] {
        var rows: [[String]] = [["GATE", "CLUSTER", "VALUE", "THRESHOLD", "RECENT", "VERDICT", "AT"]]
        for gate in gates {
            rows.append([
                gate.gate, gate.cluster ?? "-", gate.observed.map(gate.unit.format) ?? "no data", gate.bound,
                sparkline(gate.history, threshold: gate.threshold), gate.verdict.rawValue, gate.at ?? "-",
            ])
        }
        let lines = columns(rows)
        return [style.dim(lines[0])]
            + zip(gates, lines.dropFirst()).map { gate, text in
                switch gate.verdict {
                case .pass: style.green(text)
                case .breach: style.red(text)
                case .noData: style.yellow(text)
                case .notEvaluated: style.dim(text)
                }
            }
    }

    /// The newest events, in aligned columns.
    static func eventLines(_ events: [EventRow], style: Style) -> [String] {
        let times = events.map(\.shownTime)
        let timeWidth = times.map(\.count).max() ?? 0
        let actorWidth = events.map(\.actor.count).max() ?? 0
        let verbWidth = events.map(\.verb.count).max() ?? 0
        return [style.dim("LAST EVENTS")]
            + zip(events, times).map { event, time in
                pad(time, timeWidth) + "  " + pad(event.actor, actorWidth) + "  "
                    + style.cyan(pad(event.verb, verbWidth)) + "  " + event.message
            }
    }

    static func phase(_ phase: RolloutPhase, style: Style) -> String {
        let text = phase.words.uppercased()
        switch phase {
        case .completed: return style.green(style.bold(text))
        case .progressing: return style.cyan(style.bold(text))
        case .rolledBack, .rollingBack, .aborted: return style.red(style.bold(text))
        default: return style.yellow(style.bold(text))
        }
    }

    static func paintState(_ text: String, state: ClusterState, style: Style) -> String {
        switch state {
        case .progress(.done): style.green(text)
        case .progress(.applying), .progress(.baking): style.cyan(text)
        case .progress(.reverting), .progress(.reverted), .breakGlassFailed: style.red(text)
        case .progress(.pending), .revertedByBreakGlass: text
        }
    }

    /// `[████░░░░]`: the share of nodes done.
    static func bar(_ done: Int, of total: Int) -> String {
        let filled = total == 0 ? 0 : min(barWidth, done * barWidth / total)
        return "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled) + "]"
    }

    /// Eight-level bars of the recent values, scaled over the range the values and the threshold span (so the
    /// threshold is the top for a maximum and the bottom for a minimum); `·` where there was no data.
    static func sparkline(_ values: [Double?], threshold: Double) -> String {
        let levels = Array("▁▂▃▄▅▆▇█")
        let known = values.compactMap { $0 }.filter(\.isFinite)
        guard !known.isEmpty else { return String(repeating: "·", count: values.count) }
        let low = min(known.min()!, threshold)
        let high = max(known.max()!, threshold)
        return String(values.map { value -> Character in
            guard let value, value.isFinite else { return "·" }
            guard high > low else { return levels[0] }
            let index = Int(((value - low) / (high - low) * Double(levels.count - 1)).rounded())
            return levels[max(0, min(levels.count - 1, index))]
        })
    }

    /// A gate value: up to four decimals, no trailing zeros.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        let rounded = (value * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() ? String(Int(rounded)) : "\(rounded)"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// Left-aligned columns, two spaces apart; the last column is not padded.
    static func columns(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            var text = ""
            for (index, cell) in row.enumerated() {
                if index == row.count - 1 {
                    text += cell
                } else {
                    text += cell + String(repeating: " ", count: widths[index] - cell.count) + "  "
                }
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
    }
}
