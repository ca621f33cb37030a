-- Extra meters where a provider has them (issue #5): hour-long cache writes and server tool requests.
ALTER TABLE model_prices
    ADD COLUMN cache_write_1h_per_million_micros bigint,
    ADD COLUMN server_tool_request_micros        bigint;
ALTER TABLE metering_events
    ADD COLUMN cache_write_1h_tokens  bigint NOT NULL DEFAULT 0,
    ADD COLUMN server_tool_requests   bigint NOT NULL DEFAULT 0;
