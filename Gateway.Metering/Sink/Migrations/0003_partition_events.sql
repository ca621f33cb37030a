-- Events partitioned by month of occurred_at (issue #4), indexed for tenant and time. Uniqueness must include the
-- partition key: (event_id, occurred_at). A retried write carries the same occurred_at, so it is still ignored.
ALTER TABLE metering_events RENAME TO metering_events_unpartitioned;
ALTER INDEX metering_events_tenant RENAME TO metering_events_unpartitioned_tenant;

CREATE TABLE metering_events (LIKE metering_events_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (occurred_at);
ALTER TABLE metering_events ADD PRIMARY KEY (event_id, occurred_at);
CREATE INDEX metering_events_tenant ON metering_events (tenant_id, event_id);
CREATE INDEX metering_events_tenant_time ON metering_events (tenant_id, occurred_at);

-- Rows outside every monthly partition land here; the gateway creates the months around now at start.
CREATE TABLE metering_events_default PARTITION OF metering_events DEFAULT;

-- Creates the partition of the month holding `at` unless it exists. Rows of that month already in the default
-- partition are moved into it first.
CREATE FUNCTION ensure_events_partition(at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    month_start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    month_end   timestamptz := month_start + interval '1 month';
    name        text := 'metering_events_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE metering_events INCLUDING DEFAULTS)', name);
    EXECUTE format('WITH moved AS (DELETE FROM metering_events_default WHERE occurred_at >= %L AND occurred_at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
        month_start, month_end, name);
    EXECUTE format('ALTER TABLE metering_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, month_start, month_end);
END
$$;

SELECT ensure_events_partition(now() - interval '1 month');
SELECT ensure_events_partition(now());
SELECT ensure_events_partition(now() + interval '1 month');

INSERT INTO metering_events SELECT * FROM metering_events_unpartitioned;
DROP TABLE metering_events_unpartitioned;
