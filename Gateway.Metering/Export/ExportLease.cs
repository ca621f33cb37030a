using Npgsql;

namespace Gateway.Metering.Export;

/// <summary>
/// One exporter per cursor across all gateways: a session advisory lock on a connection kept open (idle, outside any
/// transaction) for as long as this gateway exports. If that session dies the lock goes with it and another gateway
/// takes over; the batch both may then send is harmless, as every target ignores an id it holds.
/// </summary>
internal sealed class ExportLease(NpgsqlDataSource dataSource, string cursorName) : IAsyncDisposable
{
    /// <summary>First key of the two-key advisory lock space: this feature's migration number.</summary>
    private const int LockClass = 8;

    private NpgsqlConnection? _session;

    public async Task<bool> TryHoldAsync(CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            try
            {
                await using var ping = new NpgsqlCommand("SELECT 1", _session);
                await ping.ExecuteScalarAsync(cancellationToken);
                return true;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                await DropAsync(); // the session, and the lock with it, is gone
            }
        }

        var session = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, hashtext($2))", session))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = LockClass });
            take.Parameters.Add(new NpgsqlParameter { Value = cursorName });
            if ((bool)(await take.ExecuteScalarAsync(cancellationToken))!)
            {
                _session = session;
                return true;
            }
        }

        await session.DisposeAsync();
        return false;
    }

    public async ValueTask DisposeAsync() => await DropAsync();

    private async Task DropAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            try
            {
                // Npgsql resets a pooled connection only when it is next used: release the lock now.
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", session);
                await release.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException)
            {
                // The session is broken: the server ends it, and its locks, itself.
            }

            await session.DisposeAsync();
        }
    }
}
