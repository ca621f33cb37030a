using Gateway;
using Microsoft.Extensions.Options;

try
{
    var app = await GatewayApp.CreateAsync(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine("Invalid configuration:");
    foreach (var failure in ex.Failures)
    {
        Console.Error.WriteLine("  " + failure);
    }

    return 2;
}
