using System.Buffers;
using Gateway.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Proxy;

/// <summary>
/// Reads a request body whole (the model, stream flag and hold need it before forwarding) into a pooled buffer and
/// refuses more than the configured limit with 413. An oversized body is read on and thrown away, up to
/// <see cref="DrainBytes"/> more, before answering: HTTP clients without <c>Expect: 100-continue</c> (the OpenAI
/// SDKs) fail on a broken pipe instead of reading the 413 when the server answers while they are still sending.
/// </summary>
internal static class RequestBodyReader
{
    /// <summary>How much of an oversized body is drained so the client can read its 413.</summary>
    public const long DrainBytes = 32L * 1024 * 1024;

    public static async Task<(byte[]? Buffer, int Length, GatewayError? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + DrainBytes; // the limit itself is enforced here
        }

        if (request.ContentLength > limit)
        {
            await DrainAsync(request, cancellationToken);
            return (null, 0, GatewayError.BodyTooLarge(limit));
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1024, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        await DrainAsync(request, cancellationToken);
                        return (null, 0, GatewayError.BodyTooLarge(limit));
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    await DrainAsync(request, cancellationToken);
                    return (null, 0, GatewayError.BodyTooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while reading: past its size limit, too slow (Proxy:MinRequestBodyDataRate),
            // or a malformed chunked body. Kestrel closes the connection after the answer.
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, 0, ex.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => GatewayError.BodyTooLarge(limit),
                StatusCodes.Status408RequestTimeout => GatewayError.RequestTimeout(),
                _ => GatewayError.InvalidRequest("The request body could not be read: " + ex.Message),
            });
        }

        return (buffer, length, null);
    }

    private static async Task DrainAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await request.Body.ReadAsync(scratch, cancellationToken) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // Past the drain allowance, or the client gave up: answer anyway; Kestrel closes the connection.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
