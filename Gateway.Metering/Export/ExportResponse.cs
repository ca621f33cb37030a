using System.Net;

namespace Gateway.Metering.Export;

/// <summary>One call to a target, classified. <see cref="Reason"/> is the start of the answer's body (or the
/// transport error); it never holds the API key, which only travels in a request header.</summary>
internal sealed record ExportResponse(Delivery Delivery, int Status, string Reason, TimeSpan? RetryAfter = null)
{
    private const int MaxReason = 500;

    /// <summary>Sends, and turns the answer or the transport failure into a value; only our own cancellation throws.</summary>
    public static async Task<ExportResponse> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new(Delivery.Accepted, status, "");
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var reason = body.Length > MaxReason ? body[..MaxReason] : body;
            return new(Classify(response.StatusCode), status, reason, ReadRetryAfter(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(Delivery.Retry, 0, "timed out");
        }
        catch (HttpRequestException ex)
        {
            return new(Delivery.Retry, 0, ex.Message);
        }
    }

    public static Delivery Classify(HttpStatusCode status) => (int)status switch
    {
        >= 200 and < 300 => Delivery.Accepted,
        401 or 403 or 404 or 407 or 408 or 409 or 423 or 425 or 429 => Delivery.Retry,
        >= 400 and < 500 => Delivery.Rejected,
        _ => Delivery.Retry,
    };

    private static TimeSpan? ReadRetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow > TimeSpan.Zero ? date - DateTimeOffset.UtcNow : TimeSpan.Zero,
        _ => null,
    };
}
