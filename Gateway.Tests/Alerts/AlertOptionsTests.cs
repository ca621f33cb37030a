using Gateway.Metering.Alerts;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Alerts;

public sealed class AlertOptionsTests
{
    [Fact]
    public void BackoffAfter_DoublesFromRetryDelay_CappedAtMax()
    {
        var options = new AlertOptions { RetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(60) };

        Assert.Equal(
            [10, 20, 40, 60, 60],
            new[] { 1, 2, 3, 4, 30 }.Select(n => options.BackoffAfter(n).TotalSeconds));
    }

    [Theory]
    [InlineData("Alerts:Interval", "00:00:00")]
    [InlineData("Alerts:DeliveryTimeout", "00:00:00.001")]
    [InlineData("Alerts:MaxAttempts", "0")]
    [InlineData("Alerts:MaxRetryDelay", "00:00:05")] // below the default RetryDelay
    public async Task Start_InvalidAlertSetting_FailsNamingTheKey(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(key, string.Join("\n", error.Failures));
    }
}
