using Dapper;
using Npgsql;

namespace Gateway.Metering.Alerts;

/// <summary>
/// The webhook outbox in Postgres. Rows are written by <see cref="AlertCatalog.FireAsync"/> with the crossing they
/// report; any gateway claims the due ones (<c>FOR UPDATE SKIP LOCKED</c>, so two never take the same row) and pushes
/// <c>next_attempt_at</c> past its send timeout as a lease: a gateway that dies mid-send leaves the row due again.
/// </summary>
internal sealed class WebhookOutbox(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<WebhookDelivery>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int count, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClaimRow>(
            """
            WITH due AS (
                SELECT id FROM webhook_outbox
                WHERE status = 'pending' AND next_attempt_at <= @now
                ORDER BY next_attempt_at
                LIMIT @count
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE webhook_outbox o SET next_attempt_at = @leaseUntil
                FROM due WHERE o.id = due.id
                RETURNING o.id, o.tenant_id, o.type, o.payload, o.attempts)
            SELECT c.id, c.tenant_id, c.type, c.payload, c.attempts, a.webhook_url, a.secret
            FROM claimed c LEFT JOIN tenant_alerts a USING (tenant_id)
            """,
            new { now, leaseUntil = now + lease, count, cancellationToken });
        return [.. rows.Select(r => new WebhookDelivery(r.id, r.tenant_id, r.type, r.payload, r.attempts, r.webhook_url, r.secret))];
    }

    public async Task DeliveredAsync(Guid id, int httpStatus, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, last_attempt_at = @now,
                last_status = @httpStatus, last_error = NULL, delivered_at = @now
            WHERE id = @id AND status = 'pending'
            """,
            new { id, httpStatus, now, cancellationToken });
    }

    /// <summary>Records a failed attempt: due again at <paramref name="retryAt"/>, or <c>failed</c> for good when null.</summary>
    public async Task FailedAsync(Guid id, int? httpStatus, string error, DateTimeOffset now, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE webhook_outbox SET attempts = attempts + 1, last_attempt_at = @now, last_status = @httpStatus,
                last_error = @error, status = CASE WHEN @retryAt::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_at = COALESCE(@retryAt::timestamptz, next_attempt_at)
            WHERE id = @id AND status = 'pending'
            """,
            new { id, httpStatus, error, now, retryAt, cancellationToken });
    }

    /// <summary>The tenant's rules were deleted: there is nowhere to send it.</summary>
    public async Task CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE webhook_outbox SET status = 'cancelled' WHERE id = @id AND status = 'pending'",
            new { id, cancellationToken });
    }

    /// <summary>The tenant's newest webhooks first.</summary>
    public async Task<IReadOnlyList<WebhookRecord>> ListAsync(string tenantId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RecordRow>(
            """
            SELECT id, tenant_id, type, payload, status, attempts, created_at, next_attempt_at, last_attempt_at, last_status, last_error, delivered_at
            FROM webhook_outbox WHERE tenant_id = @tenantId ORDER BY created_at DESC, id DESC LIMIT @limit
            """,
            new { tenantId, limit, cancellationToken });
        return [.. rows.Select(r => r.ToRecord())];
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    internal sealed record ClaimRow(Guid id, string tenant_id, string type, string payload, int attempts, string? webhook_url, string? secret);

    internal sealed record RecordRow(Guid id, string tenant_id, string type, string payload, string status, int attempts, DateTime created_at, DateTime next_attempt_at, DateTime? last_attempt_at, int? last_status, string? last_error, DateTime? delivered_at)
    {
        public WebhookRecord ToRecord() => new(
            id, tenant_id, type, payload, status, attempts, Utc(created_at),
            status == "pending" ? Utc(next_attempt_at) : null,
            last_attempt_at is { } a ? Utc(a) : null,
            last_status,
            last_error,
            delivered_at is { } d ? Utc(d) : null);
    }
}
