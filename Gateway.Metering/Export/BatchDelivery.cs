using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>
/// Sends events in chunks through a batch endpoint. A chunk the target refuses (4xx) is sent again one event at a
/// time, so one bad event is found and recorded instead of holding back, or dropping, its neighbours.
/// </summary>
internal static class BatchDelivery
{
    public static async Task<SendResult> SendAsync(
        IReadOnlyList<MeteringEvent> batch,
        int chunkSize,
        Func<IReadOnlyList<MeteringEvent>, CancellationToken, Task<ExportResponse>> post,
        Func<ExportResponse, bool> isDuplicate,
        CancellationToken cancellationToken)
    {
        var rejected = new List<ExportRejection>();
        foreach (var chunk in batch.Chunk(chunkSize))
        {
            var response = await post(chunk, cancellationToken);
            if (response.Delivery == Delivery.Retry)
            {
                return SendResult.Failed(response);
            }

            if (response.Delivery == Delivery.Accepted)
            {
                continue;
            }

            foreach (var e in chunk)
            {
                var single = chunk.Length == 1 ? response : await post([e], cancellationToken);
                switch (single.Delivery)
                {
                    case Delivery.Retry:
                        return SendResult.Failed(single);
                    case Delivery.Rejected when !isDuplicate(single):
                        rejected.Add(new ExportRejection(e, single.Status, single.Reason));
                        break;
                }
            }
        }

        return new SendResult(rejected);
    }
}
