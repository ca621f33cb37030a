using Gateway.Metering.Rating;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Metering.Billing;

/// <summary>
/// The timed billing work: expiring credit grants; granting plans' included credits each month; and applying to the
/// live wallets the day's re-rating, expiry and true-up ledger entries again, in case a gateway stopped between
/// writing one and applying it (applying is idempotent). All idempotent, so every gateway may run them.
/// </summary>
internal sealed partial class BillingScheduleService(CreditExpiry expiry, PlanCredits planCredits, PriceBook book, WalletLedger ledger, WalletPosting posting, IOptions<BillingOptions> options, TimeProvider time, ILogger<BillingScheduleService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPlanCredits = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var expired = await expiry.RunAsync(stoppingToken);
                if (expired > 0)
                {
                    CreditsExpired(logger, expired);
                }

                if (time.GetUtcNow() >= nextPlanCredits)
                {
                    foreach (var entry in await ledger.AdjustmentsSinceAsync(["rerate", CreditExpiry.Kind, "volume_true_up"], time.GetUtcNow().AddDays(-1), stoppingToken))
                    {
                        await posting.ApplyAsync(entry, stoppingToken);
                    }

                    foreach (var tenantId in book.TenantsWithPricing)
                    {
                        await planCredits.GrantAsync(tenantId, stoppingToken);
                    }

                    nextPlanCredits = time.GetUtcNow() + options.Value.PlanCreditInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                ScheduleFailed(logger, ex); // Postgres or Redis away: try again next round
            }

            try
            {
                await Task.Delay(options.Value.CreditExpiryInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(6100, LogLevel.Information, "Expired {Count} credit grants")]
    private static partial void CreditsExpired(ILogger logger, int count);

    [LoggerMessage(6101, LogLevel.Warning, "Billing schedule round failed")]
    private static partial void ScheduleFailed(ILogger logger, Exception exception);
}
