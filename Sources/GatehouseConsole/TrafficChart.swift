import Foundation
import GatehouseCore
import GatehouseLedger

/// The overview's charts: crossings per period stacked by verdict, and deliveries stacked by
/// outcome, as SVG images drawn on the server (served as `data:` images: nothing in them can run,
/// whatever a route or a channel is called).
struct TrafficChart {
    /// How far back the chart looks, and how it groups.
    enum Span: String, CaseIterable {
        case hours, days, weeks

        /// How many periods it shows, and how long each is.
        var periods: Int { self == .hours ? 48 : self == .days ? 30 : 12 }
        var seconds: TimeInterval { self == .hours ? 3600 : self == .days ? 86_400 : 7 * 86_400 }
        var title: String { self == .hours ? "the last 48 hours" : self == .days ? "the last 30 days" : "the last 12 weeks" }
    }

    /// A stacked series: its name (a verdict, an outcome) and its colour (the legend's CSS class
    /// `c-NAME` has the same).
    struct Category {
        let name: String
        let color: String
    }

    static let verdicts: [Category] = [
        .init(name: "forward", color: "#1b7a3d"), .init(name: "redact", color: "#c98a00"),
        .init(name: "hold", color: "#1f5fbf"), .init(name: "block", color: "#b3261e"),
    ]
    static let outcomes: [Category] = [
        .init(name: "delivered", color: "#1b7a3d"), .init(name: "deferred", color: "#c98a00"),
        .init(name: "dead", color: "#b3261e"), .init(name: "cancelled", color: "#8a919e"),
    ]

    let span: Span
    let categories: [Category]
    /// Each period's start and its counts by category, oldest first.
    let periods: [(start: Date, counts: [String: Int])]
    /// The span's counts per row (a route, a destination) and category.
    let rows: [(name: String, counts: [String: Int])]

    /// Groups hourly counts (each for a row and a category) into the span's periods, ending with
    /// the one `now` is in.
    init(_ entries: [(hour: Date, row: String, category: String, count: Int)], categories: [Category], span: Span, now: Date) {
        self.span = span
        self.categories = categories
        let calendar = Calendar.utc
        // Periods start on the hour, at midnight UTC, or on a Monday (ISO weeks).
        let last: Date =
            switch span {
            case .hours: calendar.dateInterval(of: .hour, for: now)?.start ?? now
            case .days: calendar.startOfDay(for: now)
            case .weeks: calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? calendar.startOfDay(for: now)
            }
        let first = last.addingTimeInterval(-span.seconds * Double(span.periods - 1))
        var periods = (0..<span.periods).map { (start: first.addingTimeInterval(span.seconds * Double($0)), counts: [String: Int]()) }
        var rows: [String: [String: Int]] = [:]
        for entry in entries where entry.hour >= first {
            let index = min(span.periods - 1, Int(entry.hour.timeIntervalSince(first) / span.seconds))
            periods[index].counts[entry.category, default: 0] += entry.count
            rows[entry.row, default: [:]][entry.category, default: 0] += entry.count
        }
        self.periods = periods
        self.rows = rows.keys.sorted().map { ($0, rows[$0] ?? [:]) }
    }

    /// Crossings per period, stacked by verdict, with a row per route.
    static func crossings(_ traffic: [Traffic], span: Span, now: Date) -> TrafficChart {
        TrafficChart(
            traffic.map { ($0.hour, $0.route, $0.verdict.rawValue, $0.crossings) },
            categories: verdicts,
            span: span,
            now: now
        )
    }

    /// Delivery outcomes per period, stacked by outcome, with a row per destination.
    static func deliveries(_ counts: [DeliveryCount], span: Span, now: Date) -> TrafficChart {
        TrafficChart(counts.map { ($0.hour, $0.destination, $0.outcome.rawValue, $0.count) }, categories: outcomes, span: span, now: now)
    }

    var total: Int { periods.reduce(0) { $0 + $1.counts.values.reduce(0, +) } }

    /// The chart as an SVG document.
    func svg() -> String {
        let width = 720.0
        let height = 220.0
        let left = 44.0
        let bottom = 24.0
        let top = 10.0
        let plot = height - bottom - top
        let highest = max(1, periods.map { $0.counts.values.reduce(0, +) }.max() ?? 1)
        let scale = Self.niceCeiling(highest)
        let slot = (width - left - 8) / Double(periods.count)
        var shapes: [String] = []
        for fraction in [0.0, 0.5, 1.0] {
            let y = top + plot * (1 - fraction)
            shapes.append(##"<line x1="\##(left)" x2="\##(width - 8)" y1="\##(y)" y2="\##(y)" stroke="#d9dee7"/>"##)
            shapes.append(##"<text x="\##(left - 6)" y="\##(y + 4)" text-anchor="end">\##(Int(Double(scale) * fraction))</text>"##)
        }
        for (index, period) in periods.enumerated() {
            var y = top + plot
            for category in categories {
                guard let count = period.counts[category.name], count > 0 else { continue }
                let bar = plot * Double(count) / Double(scale)
                y -= bar
                let x = left + slot * Double(index) + slot * 0.15
                shapes.append(
                    ##"<rect x="\##(Self.number(x))" y="\##(Self.number(y))" width="\##(Self.number(slot * 0.7))" height="\##(Self.number(bar))" fill="\##(category.color)"/>"##
                )
            }
            if index == 0 || index == periods.count - 1 || index == periods.count / 2 {
                let x = left + slot * (Double(index) + 0.5)
                shapes.append(##"<text x="\##(Self.number(x))" y="\##(height - 6)" text-anchor="middle">\##(label(period.start))</text>"##)
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="system-ui,sans-serif" font-size="11" fill="#5b6475">\
            \(shapes.joined())</svg>
            """
    }

    /// The SVG as a `data:` URL for an `<img>`.
    func dataURL() -> String {
        "data:image/svg+xml;base64," + Data(svg().utf8).base64EncodedString()
    }

    /// A period's label: `15:00`, `12-07`, `W49`.
    func label(_ start: Date) -> String {
        let parts = Calendar.utc.dateComponents([.month, .day, .hour, .weekOfYear], from: start)
        switch span {
        case .hours: return String(format: "%02d:00", parts.hour ?? 0)
        case .days: return String(format: "%02d-%02d", parts.month ?? 0, parts.day ?? 0)
        case .weeks: return "W\(parts.weekOfYear ?? 0)"
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `value`.
    static func niceCeiling(_ value: Int) -> Int {
        var power = 1
        while true {
            for step in [1, 2, 5] where step * power >= value { return step * power }
            power *= 10
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
