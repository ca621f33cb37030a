-- Tenants, their virtual keys, and the raw metering events (issue #2).

CREATE TABLE tenants (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    status      text NOT NULL DEFAULT 'active',
    created_at  timestamptz NOT NULL
);

-- Only the SHA-256 of a key is stored; the key itself is shown once, at creation.
CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (id),
    name        text NOT NULL,
    prefix      text NOT NULL,
    key_hash    bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- Immutable, one row per client request. No foreign key to tenants: an event is never refused.
CREATE TABLE metering_events (
    event_id             uuid PRIMARY KEY,
    occurred_at          timestamptz NOT NULL,
    tenant_id            text NOT NULL,
    key_id               text NOT NULL,
    provider             text NOT NULL,
    endpoint             text NOT NULL,
    model                text,
    served_model         text,
    streamed             boolean NOT NULL,
    status               text NOT NULL,
    http_status          integer NOT NULL,
    billable             boolean NOT NULL,
    input_tokens         bigint NOT NULL,
    output_tokens        bigint NOT NULL,
    cached_input_tokens  bigint NOT NULL,
    cache_write_tokens   bigint NOT NULL,
    reasoning_tokens     bigint NOT NULL,
    audio_input_tokens   bigint NOT NULL,
    audio_output_tokens  bigint NOT NULL,
    total_tokens         bigint NOT NULL,
    usage_source         text NOT NULL,
    feature              text,
    environment          text,
    end_user             text,
    trace_id             text,
    metadata             jsonb,
    latency_ms           integer NOT NULL,
    ttft_ms              integer,
    raw_usage            json,          -- json, not jsonb: the provider's block kept byte for byte
    recorded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX metering_events_tenant ON metering_events (tenant_id, event_id);
