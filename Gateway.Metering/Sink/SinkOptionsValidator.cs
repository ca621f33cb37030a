using Microsoft.Extensions.Options;

namespace Gateway.Metering.Sink;

/// <summary>Checks <see cref="SinkOptions"/>'s attributes with code generated at build time (no reflection, so it also
/// runs in the Native AOT binary).</summary>
[OptionsValidator]
internal sealed partial class SinkOptionsValidator : IValidateOptions<SinkOptions>;
