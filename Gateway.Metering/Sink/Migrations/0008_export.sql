-- Export to billing systems (issue: billing / export).

-- The exporter reads events in the order they were committed, not the order they occurred: an event's occurred_at is
-- its request's start, and concurrent flushers write late and out of order. recorded_at (the writing transaction's
-- start) with event_id as tie-break is a total order the exporter can keep a cursor in.
CREATE INDEX metering_events_recorded ON metering_events (recorded_at, event_id);

-- One cursor per exporter (by default the target's name): the last (recorded_at, event_id) delivered. It only moves
-- forward; a restart resumes after it.
CREATE TABLE export_cursors (
    name         text PRIMARY KEY,
    recorded_at  timestamptz NOT NULL,
    event_id     uuid NOT NULL,
    exported     bigint NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL
);

-- Events a target refused for good (a 400/422 on the event itself): kept here, never skipped silently.
CREATE TABLE export_rejections (
    cursor_name  text NOT NULL,
    event_id     uuid NOT NULL,
    occurred_at  timestamptz NOT NULL,
    tenant_id    text NOT NULL,
    http_status  integer NOT NULL,
    reason       text NOT NULL,
    rejected_at  timestamptz NOT NULL,
    PRIMARY KEY (cursor_name, event_id)
);
