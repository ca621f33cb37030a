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
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Kestrel's own message names the address ("Failed to bind to address http://...: address already in use.").
    Console.Error.WriteLine($"Cannot listen: {ex.Message} Another process (another gateway?) holds it: stop that one, or set Urls to a free address.");
    return 3;
}
