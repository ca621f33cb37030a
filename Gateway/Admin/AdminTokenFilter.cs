using System.Security.Cryptography;
using System.Text;
using Gateway.Errors;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>Admits admin calls that present <c>Authorization: Bearer &lt;Admin:Token&gt;</c>; compares hashes in
/// constant time, so neither the token nor its length leaks through timing.</summary>
internal sealed class AdminTokenFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Token ?? string.Empty));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : string.Empty;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(hash, _expected))
        {
            return GatewayError.InvalidAdminToken().ToResult();
        }

        return await next(context);
    }
}
