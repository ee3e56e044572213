import Foundation
import SluiceCore
import Testing

@testable import SluiceReport

/// 2026-11-25T00:00:00Z in Unix seconds.
let midnight = 1_795_564_800.0

/// The attributes and text of every `<TAG ...>` element of `html` whose opening tag contains `marker`.
func elements(_ tag: String, containing marker: String, in html: String) -> [(attributes: [String: String], text: String)] {
    var found: [(attributes: [String: String], text: String)] = []
    for piece in html.components(separatedBy: "<\(tag) ").dropFirst() {
        guard let close = piece.firstIndex(of: ">") else { continue }
        let head = String(piece[..<close])
        guard head.contains(marker) else { continue }
        var attributes: [String: String] = [:]
        for match in head.matches(of: /([a-z0-9-]+)="([^"]*)"/) { attributes[String(match.1)] = String(match.2) }
        let rest = piece[piece.index(after: close)...]
        let text = rest.prefix { $0 != "<" }
        found.append((attributes, String(text)))
    }
    return found
}

/// The SVG of each gate chart in `html`, by gate.
func gateCharts(_ html: String) -> [String: String] {
    var charts: [String: String] = [:]
    for piece in html.components(separatedBy: "<svg class=\"gate-chart\" data-gate=\"").dropFirst() {
        let name = String(piece.prefix { $0 != "\"" })
        charts[name] = String(piece[..<(piece.range(of: "</svg>")?.lowerBound ?? piece.endIndex)])
    }
    return charts
}

@Suite("The report reads well: round axis times, clear threshold labels, folded healthy gates, people's decisions")
struct ReportReadingTests {
    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    // MARK: 1. Axis ticks at round times

    @Test("Virtual time: ticks at multiples of a ladder step, labelled T+")
    func virtualTicks() {
        #expect(TimeAxis.ticks(start: 0, end: 3600) == [
            AxisTick(time: 0, label: "T+0s"), AxisTick(time: 900, label: "T+15m"), AxisTick(time: 1800, label: "T+30m"),
            AxisTick(time: 2700, label: "T+45m"), AxisTick(time: 3600, label: "T+1h"),
        ])
        #expect(TimeAxis.ticks(start: 95, end: 1000).map(\.label) == [
            "T+2m", "T+4m", "T+6m", "T+8m", "T+10m", "T+12m", "T+14m", "T+16m",
        ])
        #expect(TimeAxis.ticks(start: 0, end: 3 * 86_400).map(\.time) == (0...6).map { Double($0) * 43_200 })
        #expect(TimeAxis.caption(start: 0, end: 3600).contains("virtual time"))
    }

    @Test("Wall clock: HH:MM UTC, and a range crossing midnight names both dates once")
    func wallTicksAcrossMidnight() {
        let start = midnight - 50 * 60  // 23:10
        let end = midnight + 80 * 60  // 01:20
        let ticks = TimeAxis.ticks(start: start, end: end)
        #expect(ticks.map(\.label) == ["23:30", "00:00", "00:30", "01:00"])
        #expect(ticks.map(\.time) == [midnight - 1800, midnight, midnight + 1800, midnight + 3600])
        #expect(TimeAxis.caption(start: start, end: end)
            == "Times on the axes are UTC, from 2026-11-24 to 2026-11-25 (the date changes at 00:00).")
        // Under a minute per step: seconds too.
        #expect(TimeAxis.ticks(start: midnight + 5, end: midnight + 65).map(\.label) == [
            "00:00:10", "00:00:20", "00:00:30", "00:00:40", "00:00:50", "00:01:00",
        ])
        #expect(TimeAxis.caption(start: midnight + 5, end: midnight + 65) == "Times on the axes are UTC, on 2026-11-25.")
        // Two hours from 13:07: 15 min and 30 min steps are both 2 ticks from 6 (8 and 4); the larger step wins.
        #expect(TimeAxis.ticks(start: midnight + 13 * 3600 + 420, end: midnight + 15 * 3600 + 420).map(\.label) == [
            "13:30", "14:00", "14:30", "15:00",
        ])
        // Days: the date.
        #expect(TimeAxis.ticks(start: midnight - 3600, end: midnight + 5 * 86_400).first?.label == "2026-11-25")
    }

    @Test("Over spans from 40 s to 60 days every tick is a multiple of a ladder step inside the range, 3 to 9 of them")
    func ticksAreRound() {
        var span = 40.0
        while span < 60 * 86_400 {
            for start in [0.0, 17, midnight - 7, midnight + 4321] {
                let step = TimeAxis.step(start: start, end: start + span)
                let ticks = TimeAxis.ticks(start: start, end: start + span)
                #expect((3...9).contains(ticks.count), "span \(span) from \(start): \(ticks.count) ticks")
                #expect(ticks.allSatisfy { $0.time >= start && $0.time <= start + span })
                #expect(ticks.allSatisfy { $0.time.truncatingRemainder(dividingBy: step) == 0 })
                #expect(
                    step < 86_400
                        ? TimeAxis.stepLadderSeconds.contains(step) : step.truncatingRemainder(dividingBy: 86_400) == 0)
            }
            span *= 1.37
        }
    }

    @Test("The page's axes carry the round ticks and say UTC and the date once per chart section")
    func pageTicks() throws {
        let input = try ReportScenario.run(start: midnight - 3 * 3600, wallAt: { $0 })
        let html = RolloutReport.html(input)
        let axis = TimeAxis(input, decisions: ReportDecision.all(in: input))
        let labels = elements("text", containing: "class=\"tick\" x=", in: html).map(\.text)
        for tick in axis.ticks { #expect(labels.contains(tick.label)) }
        #expect(axis.ticks.allSatisfy { $0.label.count == 5 && $0.label.dropFirst(2).hasPrefix(":") })
        #expect(count("Times on the axes are UTC", in: html) == 2)  // the timeline's note and the gates' note
    }

    // MARK: 2. Threshold labels clear of the marks

    /// The box of each threshold label and every decision mark, point and no-data tick of each chart: none overlaps.
    func expectLabelsClear(_ html: String) throws {
        let charts = gateCharts(html)
        #expect(!charts.isEmpty)
        for (gate, svg) in charts {
            let label = try #require(elements("text", containing: "class=\"threshold-label\"", in: svg).first)
            let x = try #require(Double(label.attributes["x"] ?? ""))
            let y = try #require(Double(label.attributes["y"] ?? ""))
            let box = (left: x, right: x + RolloutReport.textWidth(label.text), top: y - 11, bottom: y + 3)
            #expect(box.right <= RolloutReport.chartWidth, "\(gate): label runs off the chart")
            #expect(box.left > RolloutReport.plotRight, "\(gate): label inside the plot")
            // Decision marks: their lines (the full height of the plot), then their numbers.
            for mark in elements("line", containing: "x1=", in: svg.components(separatedBy: "<g class=\"decision")
                .dropFirst().map { "<g class=\"decision" + $0 }.joined())
            {
                let lineX = try #require(Double(mark.attributes["x1"] ?? ""))
                #expect(lineX + 1 < box.left || lineX - 1 > box.right, "\(gate): decision line under the label")
            }
            for number in svg.components(separatedBy: "<g class=\"decision").dropFirst() {
                let text = try #require(elements("text", containing: "y=", in: number).first)
                let textX = try #require(Double(text.attributes["x"] ?? ""))
                let width = RolloutReport.textWidth(text.text)
                let (left, right) = text.attributes["text-anchor"] == "end" ? (textX - width, textX) : (textX, textX + width)
                #expect(right < box.left || left > box.right, "\(gate): decision \(text.text) under the label")
            }
            for point in elements("circle", containing: "cx=", in: svg) {
                let cx = try #require(Double(point.attributes["cx"] ?? ""))
                let r = try #require(Double(point.attributes["r"] ?? ""))
                #expect(cx + r < box.left || cx - r > box.right, "\(gate): point under the label")
            }
            for tick in elements("rect", containing: "class=\"nodata\"", in: svg) {
                let left = try #require(Double(tick.attributes["x"] ?? ""))
                #expect(left + 2 < box.left, "\(gate): no-data tick under the label")
            }
        }
    }

    @Test("Threshold labels sit right of the plot, clear of every decision mark and point, even at the axis's end")
    func thresholdLabelsClear() throws {
        let input = try ReportScenario.run()
        try expectLabelsClear(RolloutReport.html(input))
        // A breach exactly at the threshold at the axis's end, and a daemon's and a person's decision there too.
        let last = TimeAxis(input, decisions: ReportDecision.all(in: input)).end
        var crowded = input
        crowded.events.append(RolloutEvent(at: last, actor: "sluiced", verb: "halted", message: "at the end"))
        crowded.evaluations.append(GateEvaluation(
            gate: "throttled-requests", cluster: "prod-a", at: last, windowSeconds: 120, observed: 0.01,
            bound: .atMost(0.01), verdict: .breach, reason: "at the bound"))
        crowded.events.append(RolloutEvent(at: last, actor: "ana", verb: "requested", message: "rollback: 429s"))
        try expectLabelsClear(RolloutReport.html(crowded))
    }

    // MARK: 3. Healthy gates folded

    static let flat = ReportScenario.errors
    static let close = ReportScenario.availability
    static let breached = Gate(
        name: "mutating-latency", signal: "apiserver_mutating_latency_p99_seconds", aggregation: .max,
        windowSeconds: 120, bound: .atMost(1.0), onNoData: .fail, action: .rollbackCluster)
    static let blind = Gate(
        name: "dns-servfail", signal: "dns_servfail_ratio", aggregation: .max, windowSeconds: 120,
        bound: .atMost(0.01), onNoData: .fail, action: .rollbackCluster)

    /// Four gates on the scenario's clusters: one far from its bound throughout, one passing but within 20 % of it,
    /// one breached once, one without data once.
    func foldingInput() throws -> ReportInput {
        var spec = try ReportScenario.spec()
        spec.policy.gates = [Self.flat, Self.close, Self.breached, Self.blind]
        var evaluations: [GateEvaluation] = []
        for (index, cluster) in ["staging-1", "prod-a"].enumerated() {
            for step in 0..<10 {
                let at = Double(step * 60 + index)
                func evaluation(_ gate: Gate, _ value: Double?) -> GateEvaluation {
                    let verdict: GateEvaluation.Verdict = value.map { gate.bound.isHealthy($0) ? .pass : .breach } ?? .noData
                    return GateEvaluation(
                        gate: gate.name, cluster: cluster, at: at, windowSeconds: 120, observed: value, bound: gate.bound,
                        verdict: verdict, reason: "r")
                }
                evaluations.append(evaluation(Self.flat, 0.001 * Double(step % 4)))
                evaluations.append(evaluation(Self.close, step == 5 ? 0.9915 : 0.999))
                evaluations.append(evaluation(Self.breached, step == 7 && index == 1 ? 1.4 : 0.2))
                evaluations.append(evaluation(Self.blind, step == 3 ? nil : 0.0))
            }
        }
        return ReportInput(
            spec: spec, status: RolloutStatus(spec: spec, now: 0), events: [], evaluations: evaluations, journal: [],
            generatedAt: "now")
    }

    @Test("A gate that passed throughout, clear of its bound, is one summary row; the others keep their charts")
    func healthyGatesFolded() throws {
        let input = try foldingInput()
        let html = RolloutReport.html(input)
        #expect(RolloutReport.page(input).chartedGates == ["availability", "mutating-latency", "dns-servfail"])
        #expect(Set(gateCharts(html).keys) == ["availability", "mutating-latency", "dns-servfail"])
        #expect(count("data-gate=", in: html) == 3)
        #expect(count("<tr data-gate-summary=", in: html) == 1)
        // Gate, clusters, evaluations, worst value with its unit, bound, verdict.
        #expect(html.contains(
            "<tr data-gate-summary=\"throttled-requests\"><td><b>throttled-requests</b></td><td>staging-1, prod-a</td>"
                + "<td>20</td><td>0.3%</td><td>&lt;= 1%</td><td><span class=\"passed\">passed throughout</span></td></tr>"))
        // The passing gate that came close says why it is charted.
        #expect(html.contains("passed throughout, but its worst value 99.15% came within 20 % of the bound"))
    }

    @Test("What counts as close to a bound: 20 % of the limit, of a share's error budget, of a lower limit")
    func closeToBound() throws {
        let spec = try ReportScenario.spec()
        func outcome(_ gate: Gate, worst: Double) -> GateOutcome {
            var copy = spec
            copy.policy.gates = [gate]
            let evaluation = GateEvaluation(
                gate: gate.name, cluster: "prod-a", at: 0, windowSeconds: 60, observed: worst, bound: gate.bound,
                verdict: .pass, reason: "")
            return GateOutcome(gate, input: ReportInput(
                spec: copy, status: RolloutStatus(spec: copy, now: 0), events: [], evaluations: [evaluation],
                journal: [], generatedAt: ""))
        }
        #expect(outcome(Self.breached, worst: 0.79).isFlat)  // <= 1.0: close from 0.8
        #expect(!outcome(Self.breached, worst: 0.8).isFlat)
        #expect(outcome(Self.close, worst: 0.9925).isFlat)  // >= 99 % of a share: close from 99.2 %
        #expect(!outcome(Self.close, worst: 0.9919).isFlat)
        var seats = Self.close
        seats.signal = "free_seats"  // a count: close up to 120 % of the limit
        seats.bound = .atLeast(100)
        #expect(!outcome(seats, worst: 119).isFlat)
        #expect(outcome(seats, worst: 121).isFlat)
    }

    // MARK: 4. People's decisions

    /// The scenario on the wall clock, from 2026-11-24T22:00Z, with people's requests, a refusal and break-glass.
    func withPeople() throws -> (input: ReportInput, people: [RolloutEvent]) {
        var input = try ReportScenario.run(start: midnight - 2 * 3600, wallAt: { $0 })
        let t0 = midnight - 2 * 3600
        let people = [
            RolloutEvent(at: t0 + 400, actor: "ana", verb: "requested", message: "pause: lunch", wallAt: t0 + 400),
            RolloutEvent(at: t0 + 1300, actor: "bob", verb: "requested", message: "resume", wallAt: t0 + 1300),
            RolloutEvent(
                at: t0 + 1500, actor: "carol", verb: "refused",
                message: "promote by carol refused: nothing waits for approval and no bake is running", wallAt: t0 + 1500),
            RolloutEvent(
                at: t0 + 2400, actor: "dan", verb: "break-glass", message: "fenced; reverting every cluster node-direct",
                wallAt: t0 + 2400),
            RolloutEvent(at: t0 + 2700, actor: "dan", verb: "break-glass-done", message: "run 1: ok", wallAt: t0 + 2700),
        ]
        input.events = (input.events + people).sorted { $0.at < $1.at }
        return (input, people)
    }

    @Test("People's requests, refusals and break-glass are listed with their actor and marked apart on the timeline")
    func peoplesDecisions() throws {
        let (input, people) = try withPeople()
        let html = RolloutReport.html(input)
        let decisions = ReportDecision.all(in: input)
        let charted = RolloutReport.page(input).chartedGates.count
        for event in people {
            let decision = try #require(decisions.first { $0.event == event })
            #expect(decision.byPerson)
            // The table: number, wall time, who, what, why.
            #expect(html.contains(
                "<tr class=\"\(event.verb) person\"><td>\(decision.number)</td><td>\(ControllerTime.format(event.at))</td>"
                    + "<td class=\"by\">\(event.actor)</td><td>\(event.verb)</td><td>\(RolloutReport.escape(event.message))</td></tr>"))
            // A purple ▼ mark on the timeline and on each chart, at its time, numbered as in the table.
            let marks = elements("g", containing: "class=\"decision person \(event.verb)\"", in: html)
            #expect(marks.count == (1 + charted) * people.filter { $0.verb == event.verb }.count)
        }
        let timeline = try #require(html.components(separatedBy: "<svg class=\"timeline\"").last?
            .components(separatedBy: "</svg>").first)
        let axis = TimeAxis(input, decisions: decisions)
        let pause = try #require(decisions.first { $0.event.message == "pause: lunch" })
        #expect(timeline.contains("<g class=\"decision person requested\"><line x1=\"\(RolloutReport.n(axis.x(pause.event.at)))\""))
        #expect(timeline.contains(">\(pause.number)</text><title>\(pause.number). "))
        // The daemon's decisions keep their own mark, and the legend tells the two apart.
        let daemon = decisions.filter { !$0.byPerson }
        #expect(!daemon.isEmpty)
        #expect(count("<g class=\"decision person ", in: timeline) == people.count)
        #expect(count("<g class=\"decision ", in: timeline) == decisions.count)
        #expect(html.contains("<span class=\"key decision\"></span>decision by sluiced"))
        #expect(html.contains("<span class=\"key person\">▼</span>decision by a person"))
        // The numbers run in log order across both.
        #expect(decisions.map(\.number) == Array(1...decisions.count))
    }

    // MARK: 5. One clock

    @Test("On the wall clock the tables print RFC 3339 UTC wall times and no virtual column")
    func wallClockTables() throws {
        let (input, _) = try withPeople()
        let html = RolloutReport.html(input)
        #expect(!html.contains("virtual time</th>"))
        #expect(html.contains("<table class=\"events\"><tr><th>at (UTC)</th><th>actor</th>"))
        let audit = try #require(html.components(separatedBy: "<table class=\"events\">").last)
        for event in input.events {
            #expect(audit.contains("<tr><td>\(ControllerTime.format(event.wallTime!))</td><td>\(RolloutReport.escape(event.actor))</td>"))
        }
    }

    @Test("In virtual time: wall times in the tables, a virtual column, and people's wall-clock events placed on the virtual axis")
    func virtualTimeTables() throws {
        // The daemon ran 30 virtual seconds per wall second from 2026-11-24T23:50Z.
        let wallStart = midnight - 600
        var input = try ReportScenario.run(wallAt: { wallStart + $0 / 30 })
        let request = RolloutEvent(
            at: wallStart + 30, actor: "ana", verb: "requested", message: "pause: lunch", wallAt: wallStart + 30)
        input.events.append(request)
        let html = RolloutReport.html(input)
        #expect(html.contains("<table class=\"events\"><tr><th>at (UTC)</th><th>virtual time</th><th>actor</th>"))
        #expect(html.contains("<tr><td>2026-11-24T23:50:30Z</td><td>-</td><td>ana</td><td>requested</td>"))
        let halt = try #require(input.events.first { $0.verb == "halted" })
        #expect(html.contains(
            "<td>\(ControllerTime.format(wallStart + halt.at / 30))</td><td>\(ControllerTime.format(halt.at))</td>"
                + "<td class=\"by\">sluiced</td><td>halted</td>"))
        // Charts stay on the controller's (virtual) clock: ana's request 30 wall seconds in is at T+15m there.
        let decision = try #require(ReportDecision.all(in: input).first { $0.event == request })
        let at = try #require(decision.controllerAt)
        #expect(abs(at - 900) < 1e-6)
        let x = TimeAxis(input, decisions: ReportDecision.all(in: input)).x(900)
        #expect(html.contains("<g class=\"decision person requested\"><line x1=\"\(RolloutReport.n(x))\""))
        #expect(html.contains("Times on the axes are the controller&#39;s virtual time since the run began (T+)."))
        #expect(!html.contains("Times on the axes are UTC"))
    }

    @Test("A person's event of a virtual-time run without recorded wall times is listed but not placed on the charts")
    func unplaceable() throws {
        var input = try ReportScenario.run()
        input.events.append(RolloutEvent(at: midnight, actor: "ana", verb: "requested", message: "abort"))
        let decisions = ReportDecision.all(in: input)
        #expect(decisions.last?.controllerAt == nil)
        let html = RolloutReport.html(input)
        #expect(html.contains("<td class=\"by\">ana</td><td>requested</td><td>abort</td>"))
        #expect(!html.contains("decision person requested"))
        // The axis is not stretched to the wall-clock time.
        #expect(TimeAxis(input, decisions: decisions).end < ControllerTime.unixThreshold)
    }
}
