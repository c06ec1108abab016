import Foundation
import GRDB

/// The ledger's schema as append-only named migrations: a shipped migration is never edited.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE inbound (
                        platform TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        received_at DATETIME NOT NULL,
                        PRIMARY KEY (platform, event_id)
                    ) WITHOUT ROWID;

                    CREATE TABLE audit_record (
                        sequence INTEGER PRIMARY KEY,
                        time DATETIME NOT NULL,
                        kind TEXT NOT NULL,
                        route TEXT,
                        destination TEXT,
                        verdict TEXT,
                        leaf BLOB NOT NULL
                    );
                    CREATE INDEX audit_record_time ON audit_record (time);
                    -- The log is append-only: the database itself refuses to change or remove a record.
                    CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

                    CREATE TABLE content (
                        record INTEGER PRIMARY KEY REFERENCES audit_record (sequence),
                        received TEXT,
                        decided TEXT
                    );

                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        crossing INTEGER NOT NULL REFERENCES audit_record (sequence),
                        route TEXT NOT NULL,
                        destination TEXT NOT NULL,
                        text TEXT NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL,
                        not_before DATETIME,
                        last_error TEXT,
                        created_at DATETIME NOT NULL,
                        origin_platform TEXT NOT NULL,
                        origin_conversation TEXT NOT NULL,
                        origin_message TEXT NOT NULL
                    );
                    CREATE INDEX outbox_queue ON outbox (destination, id) WHERE state IN ('pending', 'deferred');

                    CREATE TABLE message_map (
                        origin_platform TEXT NOT NULL,
                        origin_conversation TEXT NOT NULL,
                        origin_message TEXT NOT NULL,
                        destination TEXT NOT NULL,
                        part INTEGER NOT NULL,
                        native_id TEXT NOT NULL,
                        crossing INTEGER NOT NULL REFERENCES audit_record (sequence),
                        PRIMARY KEY (origin_platform, origin_conversation, origin_message, destination, part)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2-outbox-actions") { db in
            // What a job does at its destination: a new post, or an edit or deletion of what an
            // earlier job of the same origin message posted there.
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN action TEXT NOT NULL DEFAULT 'post'")
        }
        migrator.registerMigration("v3-merkle-tree") { db in
            // The leaf hash of every record (RFC 6962: SHA-256(0x00 || leaf)), appended with it.
            // `audit verify` recomputes them: a record whose bytes changed no longer matches its
            // hash, and one whose hash changed too no longer matches the signed checkpoints.
            try db.execute(
                sql: """
                    CREATE TABLE audit_leaf_hash (
                        sequence INTEGER PRIMARY KEY REFERENCES audit_record (sequence),
                        hash BLOB NOT NULL
                    );
                    CREATE TRIGGER audit_leaf_hash_no_update BEFORE UPDATE ON audit_leaf_hash
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_leaf_hash_no_delete BEFORE DELETE ON audit_leaf_hash
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

                    CREATE TABLE checkpoint (
                        size INTEGER PRIMARY KEY,
                        root BLOB NOT NULL,
                        note TEXT NOT NULL,
                        created_at DATETIME NOT NULL
                    );
                    CREATE TRIGGER checkpoint_no_update BEFORE UPDATE ON checkpoint
                        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                    CREATE TRIGGER checkpoint_no_delete BEFORE DELETE ON checkpoint
                        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                    """
            )
            // Records from before this migration get their hashes now (insert only: the records
            // themselves are not touched).
            let leaves = try Row.fetchCursor(db, sql: "SELECT sequence, leaf FROM audit_record ORDER BY sequence")
            while let row = try leaves.next() {
                let leaf: Data = row["leaf"]
                try db.execute(
                    sql: "INSERT INTO audit_leaf_hash (sequence, hash) VALUES (?, ?)",
                    arguments: [row["sequence"] as Int64, Data(MerkleTree.leafHash(leaf).bytes)]
                )
            }
        }
        migrator.registerMigration("v4-content-retention") { db in
            // Retention looks up each expiring crossing's jobs.
            try db.execute(sql: "CREATE INDEX outbox_crossing ON outbox (crossing)")
        }
        migrator.registerMigration("v5-outbox-leases") { db in
            // Inflight (leased) jobs are still queued: the queue's index covers them too. Held jobs
            // wait for an approver outside the queue.
            try db.execute(
                sql: """
                    ALTER TABLE outbox ADD COLUMN leased_until DATETIME;
                    DROP INDEX outbox_queue;
                    CREATE INDEX outbox_queue ON outbox (destination, id) WHERE state IN ('pending', 'inflight', 'deferred');
                    """
            )
        }
        migrator.registerMigration("v6-cursors") { db in
            // Each adapter's place in its platform's stream (the Telegram getUpdates offset).
            try db.execute(
                sql: """
                    CREATE TABLE cursor (
                        platform TEXT PRIMARY KEY,
                        value TEXT NOT NULL,
                        updated_at DATETIME NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v7-payloads") { db in
            // What a body carries besides its text (formatting, attachments, the message it replies
            // to), as stored JSON: with the job that sends it, and beside each body it belongs to.
            try db.execute(
                sql: """
                    ALTER TABLE outbox ADD COLUMN payload TEXT;
                    ALTER TABLE content ADD COLUMN received_payload TEXT;
                    ALTER TABLE content ADD COLUMN decided_payload TEXT;
                    """
            )
        }
        migrator.registerMigration("v8-part-progress") { db in
            // The native ids of the parts of a split send delivered so far, as a JSON array: a
            // retry resumes after them instead of sending them again.
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN delivered_parts TEXT")
        }
        migrator.registerMigration("v9-outbox-state") { db in
            // The watchdog, /metrics and the admin API count and list jobs by state on a table
            // that keeps every delivered job: without an index each read scans all of it.
            try db.execute(sql: "CREATE INDEX outbox_state ON outbox (state)")
        }
        migrator.registerMigration("v10-schedules") { db in
            // Scheduled announcements wait outside the queues in state 'scheduled' until not_before;
            // the scheduler looks for the next one due.
            try db.execute(sql: "CREATE INDEX outbox_scheduled ON outbox (not_before) WHERE state = 'scheduled'")
        }
        migrator.registerMigration("v11-inbound-age") { db in
            // Dedup rows (and the nonces of signed pushes) are pruned by age once no platform can
            // deliver their event again.
            try db.execute(sql: "CREATE INDEX inbound_received ON inbound (received_at)")
        }
        migrator.registerMigration("v12-decided-at") { db in
            // created_at starts a new round on a retry or a late approval; the decision's own time
            // is kept apart, for the guard against sending to a channel moved since.
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN decided_at DATETIME")
            try db.execute(sql: "UPDATE outbox SET decided_at = created_at")
        }
        migrator.registerMigration("v13-desk-tickets") { db in
            // The support desk: one ticket per customer conversation, numbered from 1001, reopened
            // when a customer writes again after it was closed.
            try db.execute(
                sql: """
                    CREATE TABLE ticket (
                        number INTEGER PRIMARY KEY,
                        platform TEXT NOT NULL,
                        chat TEXT NOT NULL,
                        customer_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        handle TEXT,
                        language TEXT,
                        state TEXT NOT NULL,
                        claimed_by TEXT,
                        opened_at DATETIME NOT NULL,
                        first_response_at DATETIME,
                        closed_at DATETIME,
                        last_message TEXT,
                        updated_at DATETIME NOT NULL
                    );
                    CREATE UNIQUE INDEX ticket_customer ON ticket (platform, chat);
                    CREATE INDEX ticket_state ON ticket (state, opened_at);
                    """
            )
        }
        migrator.registerMigration("v14-ticket-index") { db in
            // A ticket's conversation is found by its records, without reading every leaf.
            try db.execute(sql: "ALTER TABLE audit_record ADD COLUMN ticket INTEGER")
            try db.execute(sql: "CREATE INDEX audit_record_ticket ON audit_record (ticket) WHERE ticket IS NOT NULL")
        }
        migrator.registerMigration("v15-ticket-taker") { db in
            // A staff member who took a ticket answers it from their one-to-one chat with the robot.
            try db.execute(sql: "ALTER TABLE ticket ADD COLUMN taken_by TEXT")
        }
        migrator.registerMigration("v16-ticket-connection") { db in
            // A customer who writes through a Telegram Business account is answered through it.
            try db.execute(sql: "ALTER TABLE ticket ADD COLUMN connection TEXT")
        }
        migrator.registerMigration("v17-reviews") { db in
            // A held job's review: its card, how many approvals it needs, its deadline, and each
            // reviewer's decision (one per person, so that four eyes are two people).
            try db.execute(
                sql: """
                    CREATE TABLE review (
                        job INTEGER PRIMARY KEY REFERENCES outbox (id),
                        card TEXT UNIQUE,
                        first_card TEXT,
                        route TEXT NOT NULL,
                        needed INTEGER NOT NULL,
                        deadline DATETIME,
                        escalated INTEGER NOT NULL DEFAULT 0,
                        reminded INTEGER NOT NULL DEFAULT 0,
                        delivered INTEGER NOT NULL DEFAULT 0,
                        recipients TEXT NOT NULL,
                        opened_at DATETIME NOT NULL,
                        decided_at DATETIME,
                        outcome TEXT
                    );
                    CREATE INDEX review_open ON review (deadline) WHERE decided_at IS NULL;
                    CREATE TABLE review_vote (
                        job INTEGER NOT NULL REFERENCES review (job),
                        person TEXT NOT NULL,
                        approve INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        identity TEXT NOT NULL,
                        at DATETIME NOT NULL,
                        PRIMARY KEY (job, person)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v18-review-opened") { db in
            // A decision can come (from the CLI) before the review was opened: its row is made
            // then, not opened, and the review's card and deadline still follow.
            try db.execute(sql: "ALTER TABLE review ADD COLUMN opened INTEGER NOT NULL DEFAULT 1")
        }
        migrator.registerMigration("v22-audit-kind") { db in
            // The console finds the records of one kind (config loads, console access) newest
            // first without reading the whole log.
            try db.execute(sql: "CREATE INDEX audit_record_kind ON audit_record (kind, sequence)")
        }
        migrator.registerMigration("v23-traffic") { db in
            // Crossings counted per hour, route and verdict as they are committed, so that the
            // console's charts read a few hundred rows, not the log (``Traffic``); the log's
            // crossings so far are counted once here.
            try db.execute(
                sql: """
                    CREATE TABLE traffic (
                        hour TEXT NOT NULL,
                        route TEXT NOT NULL,
                        verdict TEXT NOT NULL,
                        crossings INTEGER NOT NULL,
                        PRIMARY KEY (hour, route, verdict)
                    ) WITHOUT ROWID;
                    INSERT INTO traffic (hour, route, verdict, crossings)
                        SELECT substr(time, 1, 13), route, verdict, COUNT(*) FROM audit_record
                        WHERE kind = 'crossing' AND route IS NOT NULL AND verdict IS NOT NULL GROUP BY 1, 2, 3;
                    """
            )
        }
        migrator.registerMigration("v24-deliveries") { db in
            // Delivery outcomes counted per hour, destination and outcome as their records are
            // appended (``DeliveryCount``); the log's so far are counted once here, the outcome
            // read from each delivery record's leaf.
            try db.execute(
                sql: """
                    CREATE TABLE deliveries (
                        hour TEXT NOT NULL,
                        destination TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (hour, destination, outcome)
                    ) WITHOUT ROWID;
                    INSERT INTO deliveries (hour, destination, outcome, count)
                        SELECT substr(time, 1, 13), destination, json_extract(CAST(leaf AS TEXT), '$.outcome'), COUNT(*)
                        FROM audit_record
                        WHERE kind = 'delivery' AND destination IS NOT NULL
                            AND json_extract(CAST(leaf AS TEXT), '$.outcome') IS NOT NULL
                        GROUP BY 1, 2, 3;
                    """
            )
        }
        migrator.registerMigration("v25-config-source") { db in
            // Each config revision's files (secrets masked), kept the first time it is loaded,
            // so that the console shows a revision and compares two.
            try db.execute(
                sql: """
                    CREATE TABLE config_source (
                        revision TEXT PRIMARY KEY NOT NULL,
                        sources TEXT NOT NULL,
                        first_loaded TEXT NOT NULL
                    )
                    """
            )
        }
        migrator.registerMigration("v26-audit-kind-time") { db in
            // A period report counts each kind's records in a time range from this index alone,
            // not by reading a month of records.
            try db.execute(sql: "CREATE INDEX audit_record_kind_time ON audit_record (kind, time)")
        }
        migrator.registerMigration("v27-audit-subtree") { db in
            // The hash of every complete subtree of 2^8, 2^16, … leaves, so that an inclusion proof
            // is built from a few stored hashes and at most two blocks of leaf hashes, not from
            // every leaf. Filled by each checkpoint as its tree takes in new leaves (the first one
            // after the ledger opens takes in all of them, which fills a log older than the table).
            try db.execute(
                sql: """
                    CREATE TABLE audit_subtree (
                        height INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        hash BLOB NOT NULL,
                        PRIMARY KEY (height, position)
                    ) WITHOUT ROWID
                    """
            )
        }
        return migrator
    }
}
