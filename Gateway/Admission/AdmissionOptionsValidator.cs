using Microsoft.Extensions.Options;

namespace Gateway.Admission;

/// <summary>Checks <see cref="AdmissionOptions"/>'s attributes with code generated at build time (no reflection, so it also
/// runs in the Native AOT binary).</summary>
[OptionsValidator]
internal sealed partial class AdmissionOptionsValidator : IValidateOptions<AdmissionOptions>;
