import Foundation
import GatehouseLedger
import Metrics

/// The gauges `/metrics` shows of the ledger: outbox jobs by state, holds waiting, the audit
/// log's size and the age of its newest checkpoint. Set from a summary at every scrape, so that
/// a scrape never reads a stale figure.
struct LedgerGauges {
    let metrics: any MetricsFactory

    func record(_ summary: LedgerSummary, now: Date) {
        for state in OutboxJob.State.allCases {
            Gauge(label: "gatehouse_outbox_jobs", dimensions: [("state", state.rawValue)], factory: metrics)
                .record(summary.outbox[state] ?? 0)
        }
        Gauge(label: "gatehouse_holds_waiting", factory: metrics).record(summary.outbox[.held] ?? 0)
        Gauge(label: "gatehouse_audit_records", factory: metrics).record(summary.records)
        Gauge(label: "gatehouse_audit_checkpointed_records", factory: metrics).record(summary.checkpointed)
        if let last = summary.lastCheckpoint {
            Gauge(label: "gatehouse_checkpoint_age_seconds", factory: metrics).record(max(0, now.timeIntervalSince(last)))
        }
    }
}
