-- Rating and billing (issue #6): scoped, dated price versions with tiers; plans and tenant pricing; the ledger's
-- adjustment entries; re-ratings kept beside the immutable events; usage rollups; non-token meters; invoices.

-- A price row belongs to a scope: '' (everyone), 'plan:<id>' (a plan's override) or 'tenant:<id>' (a tenant's
-- contract). Versions count per (scope, model); a version applies from effective_from until the next one does.
ALTER TABLE model_prices
    ADD COLUMN id             bigserial,
    ADD COLUMN scope          text NOT NULL DEFAULT '',
    ADD COLUMN effective_from timestamptz,
    ADD COLUMN tier_mode      text,
    ADD COLUMN tiers          jsonb;
UPDATE model_prices SET effective_from = created_at;
ALTER TABLE model_prices ALTER COLUMN effective_from SET NOT NULL;
ALTER TABLE model_prices DROP CONSTRAINT model_prices_pkey;
ALTER TABLE model_prices ADD PRIMARY KEY (scope, model, version);
ALTER TABLE model_prices ADD CONSTRAINT model_prices_id UNIQUE (id);

CREATE TABLE plans (
    id                       text PRIMARY KEY,
    monthly_fee_micros       bigint NOT NULL,
    included_credits_micros  bigint NOT NULL,
    updated_at               timestamptz NOT NULL
);

-- Plan and markup of a tenant over time (basis points: 1250 = +12.5 %, -1000 = a 10 % discount).
CREATE TABLE tenant_pricing (
    tenant_id       text NOT NULL REFERENCES tenants (id),
    effective_from  timestamptz NOT NULL,
    seq             bigserial,
    plan_id         text REFERENCES plans (id),
    markup_bp       integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, effective_from, seq)
);

-- Credit grants are used by priority (lower first), then soonest expiry.
ALTER TABLE wallet_credits ADD COLUMN priority integer NOT NULL DEFAULT 1;

-- Every other ledger entry: re-rating differences, credit expiry, meter event charges, volume-tier true-ups.
-- Signed: negative takes from the balance. One entry per (tenant, kind, reference).
CREATE TABLE wallet_adjustments (
    id             bigserial PRIMARY KEY,
    tenant_id      text NOT NULL,
    amount_micros  bigint NOT NULL,
    kind           text NOT NULL,
    reference      text NOT NULL,
    note           text,
    created_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, kind, reference)
);

-- How an event was rated: the price row, the tenant's tokens of the model earlier in the month (the tier position)
-- and the markup. Set at the request; a re-rating writes event_ratings and leaves the event as it was.
ALTER TABLE metering_events
    ADD COLUMN price_id       bigint,
    ADD COLUMN tier_position  bigint,
    ADD COLUMN markup_bp      integer;

CREATE TABLE event_ratings (
    event_id       uuid NOT NULL,
    occurred_at    timestamptz NOT NULL,
    tenant_id      text NOT NULL,
    cost_micros    bigint NOT NULL,
    price_id       bigint,
    price_version  integer,
    tier_position  bigint,
    markup_bp      integer,
    rerate_id      bigint NOT NULL,
    rated_at       timestamptz NOT NULL,
    PRIMARY KEY (event_id, occurred_at)
);
CREATE INDEX event_ratings_tenant_time ON event_ratings (tenant_id, occurred_at);

CREATE TABLE reratings (
    id          bigserial PRIMARY KEY,
    range_from  timestamptz NOT NULL,
    range_to    timestamptz NOT NULL,
    tenant_id   text,
    created_at  timestamptz NOT NULL,
    summary     jsonb
);

-- Usage rollups, kept by the flusher in the transaction that stores the events; cost is the current rating.
-- Absent dimensions are '' so they can be part of the key.
CREATE TABLE usage_hourly (
    tenant_id             text NOT NULL,
    bucket                timestamptz NOT NULL,
    model                 text NOT NULL,
    feature               text NOT NULL,
    environment           text NOT NULL,
    end_user              text NOT NULL,
    requests              bigint NOT NULL,
    input_tokens          bigint NOT NULL,
    output_tokens         bigint NOT NULL,
    cached_input_tokens   bigint NOT NULL,
    cache_write_tokens    bigint NOT NULL,
    cache_write_1h_tokens bigint NOT NULL,
    reasoning_tokens      bigint NOT NULL,
    audio_input_tokens    bigint NOT NULL,
    audio_output_tokens   bigint NOT NULL,
    total_tokens          bigint NOT NULL,
    server_tool_requests  bigint NOT NULL,
    cost_micros           bigint NOT NULL,
    PRIMARY KEY (tenant_id, bucket, model, feature, environment, end_user)
);

CREATE TABLE usage_daily (
    tenant_id             text NOT NULL,
    bucket                timestamptz NOT NULL,
    model                 text NOT NULL,
    requests              bigint NOT NULL,
    input_tokens          bigint NOT NULL,
    output_tokens         bigint NOT NULL,
    cached_input_tokens   bigint NOT NULL,
    cache_write_tokens    bigint NOT NULL,
    cache_write_1h_tokens bigint NOT NULL,
    reasoning_tokens      bigint NOT NULL,
    audio_input_tokens    bigint NOT NULL,
    audio_output_tokens   bigint NOT NULL,
    total_tokens          bigint NOT NULL,
    server_tool_requests  bigint NOT NULL,
    cost_micros           bigint NOT NULL,
    PRIMARY KEY (tenant_id, bucket, model)
);

-- Events stored before this migration enter the rollups once.
INSERT INTO usage_hourly
SELECT tenant_id, date_trunc('hour', occurred_at), COALESCE(model, ''), COALESCE(feature, ''), COALESCE(environment, ''),
       COALESCE(end_user, ''), count(*), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens),
       sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens), sum(audio_input_tokens),
       sum(audio_output_tokens), sum(total_tokens), sum(server_tool_requests), sum(cost_micros)
FROM metering_events GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO usage_daily
SELECT tenant_id, date_trunc('day', bucket), model, sum(requests), sum(input_tokens), sum(output_tokens),
       sum(cached_input_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens),
       sum(audio_input_tokens), sum(audio_output_tokens), sum(total_tokens), sum(server_tool_requests), sum(cost_micros)
FROM usage_hourly GROUP BY 1, 2, 3;

-- Non-token meters (tool calls, retrieval, ...): price per unit, and the events reported with a tenant's key.
CREATE TABLE meters (
    id                 text PRIMARY KEY,
    unit_price_micros  bigint NOT NULL,
    aggregation        text NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE meter_events (
    tenant_id          text NOT NULL,
    event_id           text NOT NULL,
    meter              text NOT NULL,
    quantity           numeric NOT NULL,
    occurred_at        timestamptz NOT NULL,
    metadata           jsonb,
    unit_price_micros  bigint NOT NULL,
    cost_micros        bigint NOT NULL,
    key_id             text NOT NULL,
    recorded_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX meter_events_tenant_time ON meter_events (tenant_id, occurred_at);

-- A closed invoice: the document as it was at closing, never changed again.
CREATE TABLE invoices (
    tenant_id  text NOT NULL,
    period     text NOT NULL,
    closed_at  timestamptz NOT NULL,
    document   jsonb NOT NULL,
    PRIMARY KEY (tenant_id, period)
);
