using Npgsql;

namespace Gateway.Metering.Wallets;

/// <summary>
/// Compares a tenant's live Redis balance with the Postgres ledger. Events settled in Redis but still in the stream
/// are counted once: those already in Postgres are recognised by id. A tenant with traffic can show drift for an
/// instant (a settle lands between the two reads), so the check repeats until two runs agree.
/// </summary>
internal sealed class Reconciler(WalletStore wallets, WalletLedger ledger, NpgsqlDataSource dataSource)
{
    public async Task<Reconciliation?> ReconcileAsync(string tenantId, CancellationToken cancellationToken)
    {
        Reconciliation? previous = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await OnceAsync(tenantId, cancellationToken);
            if (current is null || (previous is not null && previous.DriftMicros == current.DriftMicros))
            {
                return current;
            }

            previous = current;
            await Task.Delay(50, cancellationToken);
        }

        return previous;
    }

    private async Task<Reconciliation?> OnceAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (await wallets.SnapshotAsync(tenantId) is not { } snapshot)
        {
            return null;
        }

        var (ledgerBalance, _) = await ledger.SnapshotAsync(tenantId, cancellationToken);
        var ids = snapshot.Unflushed.Select(u => u.EventId).ToArray();
        var stored = new HashSet<Guid>();
        if (ids.Length > 0)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            // Npgsql directly: Dapper.AOT would bind the array by SqlMapper's run-time list expansion.
            await using var command = new NpgsqlCommand("SELECT event_id FROM metering_events WHERE event_id = ANY($1)", connection);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                stored.Add(reader.GetGuid(0));
            }
        }

        var unflushed = snapshot.Unflushed.Where(u => !stored.Contains(u.EventId)).ToList();
        return new Reconciliation(
            tenantId,
            snapshot.Wallet.BalanceMicros,
            snapshot.Wallet.HeldMicros,
            ledgerBalance,
            unflushed.Sum(u => u.CostMicros),
            unflushed.Count);
    }
}
