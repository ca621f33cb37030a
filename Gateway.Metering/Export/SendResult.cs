namespace Gateway.Metering.Export;

/// <summary>The outcome of sending a batch: every event delivered except <see cref="Rejected"/>, or, when
/// <see cref="Failure"/> is set, the batch must be sent again (all of it: targets ignore ids they already hold).</summary>
internal sealed record SendResult(IReadOnlyList<ExportRejection> Rejected, ExportResponse? Failure = null)
{
    public static SendResult Failed(ExportResponse failure) => new([], failure);
}
