using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Startup;

internal static class OptionsBuilderExtensions
{
    /// <summary>
    /// Checks the options' attributes ([Range], [Required]) with <typeparamref name="TValidator"/>, an
    /// [OptionsValidator] generated at build time: what ValidateDataAnnotations does, without reflection, so that the
    /// Native AOT binary checks them too.
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateAttributes<TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(this OptionsBuilder<TOptions> builder)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder;
    }
}
