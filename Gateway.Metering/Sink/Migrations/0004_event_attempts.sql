-- Failed attempts before a fallback provider answered (issue #5): [{"provider","http_status","latency_ms"}].
ALTER TABLE metering_events ADD COLUMN attempts jsonb;
