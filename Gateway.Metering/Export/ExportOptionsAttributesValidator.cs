using Microsoft.Extensions.Options;

namespace Gateway.Metering.Export;

/// <summary>Checks <see cref="ExportOptions"/>'s attributes with code generated at build time (no reflection, so it
/// also runs in the Native AOT binary). The rules between settings are <see cref="ExportOptionsValidator"/>'s.</summary>
[OptionsValidator]
internal sealed partial class ExportOptionsAttributesValidator : IValidateOptions<ExportOptions>;
