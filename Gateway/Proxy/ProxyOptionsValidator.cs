using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>Checks <see cref="ProxyOptions"/>'s attributes with code generated at build time (no reflection, so it also
/// runs in the Native AOT binary).</summary>
[OptionsValidator]
internal sealed partial class ProxyOptionsValidator : IValidateOptions<ProxyOptions>;
