using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Metering.Alerts;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gateway.Alerts;

/// <summary>
/// Sends the outbox's webhooks, on every gateway: every <c>Alerts:Interval</c> it claims those due and POSTs each
/// stored body, signed anew, to the tenant's endpoint. A 2xx is delivered; anything else (another status, a
/// redirect, no answer within <c>Alerts:DeliveryTimeout</c>) is retried after <c>Alerts:RetryDelay</c>, doubling up
/// to <c>Alerts:MaxRetryDelay</c>, until <c>Alerts:MaxAttempts</c>. At least once: a gateway dying between the
/// receiver's 2xx and the record sends it again, with the same id, for the receiver to drop.
/// </summary>
internal sealed class WebhookDeliveryService(
    WebhookOutbox outbox,
    IHttpClientFactory clients,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<WebhookDeliveryService> logger) : BackgroundService
{
    public const string ClientName = "webhooks";
    private const int BatchSize = 100;
    private const int SendsAtOnce = 8;

    /// <summary>Claims and sends the webhooks due now; returns how many it attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lease = (settings.DeliveryTimeout * 2) + TimeSpan.FromSeconds(5); // never expires under a live sender
        var attempted = 0;
        IReadOnlyList<WebhookDelivery> batch;
        do
        {
            batch = await outbox.ClaimAsync(time.GetUtcNow(), lease, BatchSize, cancellationToken);
            await Parallel.ForEachAsync(
                batch,
                new ParallelOptions { MaxDegreeOfParallelism = SendsAtOnce, CancellationToken = cancellationToken },
                async (delivery, token) => await SendAsync(delivery, settings, token));
            attempted += batch.Count;
        }
        while (batch.Count == BatchSize && !cancellationToken.IsCancellationRequested);

        return attempted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.Interval, time, stoppingToken);
                await DeliverDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // claimed, unsent webhooks are due again when their lease ends
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.DeliveryFailed(ex);
            }
        }
    }

    private async Task SendAsync(WebhookDelivery delivery, AlertOptions settings, CancellationToken cancellationToken)
    {
        if (delivery.Url is null || delivery.Secret is null)
        {
            await outbox.CancelAsync(delivery.Id, cancellationToken);
            logger.Cancelled(delivery.Id, delivery.TenantId);
            return;
        }

        var attempt = delivery.Attempts + 1;
        var host = new Uri(delivery.Url).Authority;
        int? status = null;
        string error;
        try
        {
            var body = Encoding.UTF8.GetBytes(delivery.Payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add("X-Gateway-Event-Id", delivery.Id.ToString());
            request.Headers.Add("X-Gateway-Event-Type", delivery.Type);
            request.Headers.Add("X-Gateway-Delivery-Attempt", attempt.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Create(delivery.Secret, time.GetUtcNow().ToUnixTimeSeconds(), body));
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("llm-gateway-webhooks", "1"));

            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await outbox.DeliveredAsync(delivery.Id, status.Value, time.GetUtcNow(), CancellationToken.None);
                logger.Delivered(delivery.Id, delivery.Type, host, attempt);
                return;
            }

            error = $"HTTP {status}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // stopping: not an attempt; due again when the lease ends
        }
        catch (OperationCanceledException)
        {
            error = $"no answer within {settings.DeliveryTimeout}";
        }
        catch (HttpRequestException ex)
        {
            error = ex.HttpRequestError.ToString(); // not the message: it may carry the URL
        }

        var now = time.GetUtcNow();
        if (attempt >= settings.MaxAttempts)
        {
            await outbox.FailedAsync(delivery.Id, status, error, now, null, CancellationToken.None);
            logger.GaveUp(delivery.Id, delivery.Type, host, attempt, error);
            return;
        }

        var delay = settings.BackoffAfter(attempt);
        await outbox.FailedAsync(delivery.Id, status, error, now, now + delay, CancellationToken.None);
        logger.AttemptFailed(delivery.Id, delivery.Type, host, attempt, error, delay);
    }
}
