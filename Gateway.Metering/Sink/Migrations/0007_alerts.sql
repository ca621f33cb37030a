-- Alerts and auto top-up (billing issue: "Credits, alerts, top-ups"): each tenant's webhook endpoint and rules, the
-- armed flag of every rule, and the outbox its webhooks are delivered from.

-- One webhook endpoint per tenant and the rules that send to it. NULL rule: off.
CREATE TABLE tenant_alerts (
    tenant_id                 text PRIMARY KEY REFERENCES tenants (id),
    webhook_url               text NOT NULL,
    secret                    text NOT NULL,   -- HMAC-SHA256 key of the signature header; never returned in full
    low_balance_micros        bigint,          -- wallet.low_balance when balance < this
    spike_multiple            numeric,         -- usage.spend_spike when last minute's tokens > multiple × trailing average
    spike_window_minutes      integer,
    spike_min_tokens          bigint,          -- ... and at least this many tokens in that minute
    top_up_below_micros       bigint,          -- wallet.top_up_requested when balance < this
    top_up_amount_micros      bigint,
    updated_at                timestamptz NOT NULL
);

-- One row per (tenant, rule): armed = the next crossing sends. A crossing flips armed to false in the statement that
-- writes its outbox row, guarded by WHERE armed, so several gateways deciding the same crossing send it once.
-- episode counts the crossings: a re-arm decided on an older reading cannot undo a newer crossing.
CREATE TABLE alert_states (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    kind        text NOT NULL,                  -- low_balance | spend_spike | auto_top_up
    armed       boolean NOT NULL DEFAULT true,
    episode     bigint NOT NULL DEFAULT 0,
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

-- Webhooks to deliver, at least once. payload is the exact body signed and sent on every attempt; next_attempt_at
-- doubles as the lease of the gateway sending it (pushed past the send timeout when claimed).
CREATE TABLE webhook_outbox (
    id               uuid PRIMARY KEY,          -- the event id, in the body and the X-Gateway-Event-Id header
    tenant_id        text NOT NULL,
    type             text NOT NULL,
    payload          text NOT NULL,
    created_at       timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'pending',   -- pending | delivered | failed | cancelled
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_attempt_at  timestamptz,
    last_status      integer,                   -- HTTP status of the last attempt; NULL: no answer
    last_error       text,
    delivered_at     timestamptz
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_outbox_tenant ON webhook_outbox (tenant_id, created_at);
