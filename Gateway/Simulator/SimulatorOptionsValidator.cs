using Microsoft.Extensions.Options;

namespace Gateway.Simulator;

/// <summary>Checks <see cref="SimulatorOptions"/>'s attributes with code generated at build time (no reflection, so it also
/// runs in the Native AOT binary).</summary>
[OptionsValidator]
internal sealed partial class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>;
