-- Prices, wallets and limits (issue #3).

-- Every price change is a new version; the newest is current. Micro-USD per million tokens; NULL falls back
-- (cached input and cache write to input, reasoning to output).
CREATE TABLE model_prices (
    model                           text NOT NULL,
    version                         integer NOT NULL,
    input_per_million_micros        bigint NOT NULL,
    output_per_million_micros       bigint NOT NULL,
    cached_input_per_million_micros bigint,
    cache_write_per_million_micros  bigint,
    reasoning_per_million_micros    bigint,
    created_at                      timestamptz NOT NULL,
    PRIMARY KEY (model, version)
);

-- The credit side of the ledger; the debit side is metering_events.cost_micros.
CREATE TABLE wallet_credits (
    id               bigserial PRIMARY KEY,
    tenant_id        text NOT NULL REFERENCES tenants (id),
    amount_micros    bigint NOT NULL,
    idempotency_key  text NOT NULL,
    expires_at       timestamptz,
    note             text,
    created_at       timestamptz NOT NULL,
    UNIQUE (tenant_id, idempotency_key)
);

CREATE TABLE tenant_limits (
    tenant_id            text PRIMARY KEY REFERENCES tenants (id),
    requests_per_minute  bigint,
    tokens_per_minute    bigint,
    tokens_per_day       bigint,
    tokens_per_month     bigint,
    updated_at           timestamptz NOT NULL
);

ALTER TABLE metering_events
    ADD COLUMN cost_micros   bigint NOT NULL DEFAULT 0,
    ADD COLUMN price_version integer,
    ADD COLUMN admission     text NOT NULL DEFAULT 'checked';
