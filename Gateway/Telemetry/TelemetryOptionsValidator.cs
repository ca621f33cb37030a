using Microsoft.Extensions.Options;

namespace Gateway.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/>'s attributes with code generated at build time (no reflection, so it also
/// runs in the Native AOT binary).</summary>
[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
