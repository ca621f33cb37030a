using Gateway.Errors;
using Gateway.Metering.Quotas;
using Gateway.Metering.Rating;
using Gateway.Metering.Tenants;
using Gateway.Metering.Wallets;

namespace Gateway.Admin;

/// <summary><c>/admin/tenants/{id}/credits</c>, <c>/wallet</c> and <c>/limits</c>.</summary>
internal static class WalletEndpoints
{
    public static RouteGroupBuilder MapWalletEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/tenants/{id}/credits", AddCredit);
        admin.MapGet("/tenants/{id}/wallet", GetWallet);
        admin.MapPut("/tenants/{id}/limits", PutLimits);
        admin.MapGet("/tenants/{id}/limits", GetLimits);
        admin.MapGet("/tenants/{id}/reconciliation", Reconcile);
        admin.MapGet("/reconciliation", ReconcileAll);
        return admin;
    }

    /// <summary>
    /// The credit is written to the ledger first (idempotent per key), then added to the live wallet once: the Redis
    /// script remembers which ledger credits it applied, so a repeated call, or a rebuild racing it, never adds twice.
    /// </summary>
    private static async Task<IResult> AddCredit(string id, HttpRequest request, TenantCatalog tenants, WalletPosting posting, WalletStore wallets, TimeProvider time)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (body, error) = await AdminRequest.ReadAsync(request, AdminJsonContext.Default.CreditRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (body!.Amount is not { } amount || amount <= 0 || !Money.TryToMicros(amount, out var micros))
        {
            return GatewayError.InvalidRequest("'amount' must be a positive USD amount with at most 6 decimal places.", "amount").ToResult();
        }

        if (string.IsNullOrWhiteSpace(body.IdempotencyKey) || body.IdempotencyKey.Length > 200)
        {
            return GatewayError.InvalidRequest("'idempotency_key' is required (1 to 200 characters).", "idempotency_key").ToResult();
        }

        if (body.Note is { Length: > 1000 })
        {
            return GatewayError.InvalidRequest("'note' must be at most 1000 characters.", "note").ToResult();
        }

        if (body.Priority is < 0 or > 1000)
        {
            return GatewayError.InvalidRequest("'priority' must be an integer from 0 to 1000 (lower is used first; default 1).", "priority").ToResult();
        }

        if (body.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            return GatewayError.InvalidRequest("'expires_at' must be in the future.", "expires_at").ToResult();
        }

        if (await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) is { } missing)
        {
            return missing;
        }

        // Redis keeps the balance in a 64-bit integer of micros. A credit that overflowed it would be in the ledger
        // and never in the live wallet, so the balance may not pass what one credit may be (1e12 USD).
        if (await wallets.ReadAsync(id, time.GetUtcNow()) is { } current && current.BalanceMicros > Money.MaxBalanceMicros - micros)
        {
            return GatewayError.InvalidRequest(
                $"'amount' would take the balance past {Money.Format(Money.MaxBalanceMicros)} USD (it is {Money.Format(current.BalanceMicros)} USD).", "amount").ToResult();
        }

        var (credit, _) = await posting.CreditAsync(id, micros, body.IdempotencyKey, body.ExpiresAt, body.Note, body.Priority ?? 1, cancellationToken);
        var wallet = await wallets.ReadAsync(id, time.GetUtcNow());
        return AdminRequest.Json(ToResponse(id, wallet ?? default, credit), AdminJsonContext.Default.WalletResponse, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetWallet(string id, TenantCatalog tenants, WalletStore wallets, WalletRebuilder rebuilder, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TenantEndpoints.TenantId().IsMatch(id))
        {
            return GatewayError.NotFound($"No tenant '{id}'.").ToResult();
        }

        var wallet = await wallets.ReadAsync(id, time.GetUtcNow());
        if (wallet is null)
        {
            if (!await rebuilder.EnsureAsync(id, cancellationToken))
            {
                return GatewayError.NotFound($"No tenant '{id}'.").ToResult();
            }

            wallet = await wallets.ReadAsync(id, time.GetUtcNow());
        }

        return AdminRequest.Json(ToResponse(id, wallet ?? default, null), AdminJsonContext.Default.WalletResponse);
    }

    private static async Task<IResult> PutLimits(string id, HttpRequest request, TenantCatalog tenants, WalletLedger ledger, WalletStore wallets)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (body, error) = await AdminRequest.ReadAsync(request, AdminJsonContext.Default.LimitsBody);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (new[] { body!.RequestsPerMinute, body.TokensPerMinute, body.TokensPerDay, body.TokensPerMonth }.Any(v => v is < 0))
        {
            return GatewayError.InvalidRequest("Limits must be null (unlimited) or non-negative integers.").ToResult();
        }

        if (await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) is { } missing)
        {
            return missing;
        }

        var limits = new TenantLimits(body.RequestsPerMinute, body.TokensPerMinute, body.TokensPerDay, body.TokensPerMonth);
        await ledger.PutLimitsAsync(id, limits, cancellationToken);
        await wallets.ConfigureAsync(id, limits);
        return AdminRequest.Json(body, AdminJsonContext.Default.LimitsBody);
    }

    private static async Task<IResult> GetLimits(string id, TenantCatalog tenants, WalletLedger ledger, CancellationToken cancellationToken)
    {
        if (await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) is { } missing)
        {
            return missing;
        }

        var limits = await ledger.LimitsAsync(id, cancellationToken);
        return AdminRequest.Json(new LimitsBody(limits.RequestsPerMinute, limits.TokensPerMinute, limits.TokensPerDay, limits.TokensPerMonth), AdminJsonContext.Default.LimitsBody);
    }

    /// <summary>The tenant's live balance against the ledger; <c>drift</c> must be 0.</summary>
    private static async Task<IResult> Reconcile(string id, Reconciler reconciler, CancellationToken cancellationToken)
    {
        var result = TenantEndpoints.TenantId().IsMatch(id) ? await reconciler.ReconcileAsync(id, cancellationToken) : null;
        return result is null
            ? GatewayError.NotFound($"No live wallet for '{id}'.").ToResult()
            : AdminRequest.Json(ToResponse(result), AdminJsonContext.Default.ReconciliationResponse);
    }

    /// <summary>Every tenant with a live wallet (the first 10,000 by id); <c>drifted</c> counts drift ≠ 0.</summary>
    private static async Task<IResult> ReconcileAll(ReconciliationService reconciliation, CancellationToken cancellationToken)
    {
        var results = await reconciliation.RunAsync(10_000, cancellationToken);
        return AdminRequest.Json(
            new ReconciliationList([.. results.Select(ToResponse)], results.Count(r => r.DriftMicros != 0)),
            AdminJsonContext.Default.ReconciliationList);
    }

    private static ReconciliationResponse ToResponse(Reconciliation result) => new(
        result.TenantId,
        Money.ToDecimal(result.RedisBalanceMicros),
        Money.ToDecimal(result.HeldMicros),
        Money.ToDecimal(result.LedgerBalanceMicros),
        Money.ToDecimal(result.UnflushedCostMicros),
        result.UnflushedEvents,
        Money.ToDecimal(result.DriftMicros),
        result.DriftMicros);

    private static WalletResponse ToResponse(string tenantId, LiveWallet wallet, WalletCredit? credit) => new(
        tenantId,
        Money.ToDecimal(wallet.BalanceMicros),
        Money.ToDecimal(wallet.HeldMicros),
        Money.ToDecimal(wallet.AvailableMicros),
        "USD",
        credit is null ? null : new CreditResponse(credit.Id, Money.ToDecimal(credit.AmountMicros), credit.IdempotencyKey, credit.ExpiresAt, credit.Note, credit.CreatedAt, credit.Priority));
}
