namespace Gateway.Tests.Dashboard;

/// <summary>
/// A test that drives headless Chromium through dashboard/e2e (playwright-core). scripts/test.sh installs both
/// (Debian's chromium, npm ci), so under CI it always runs; elsewhere it is skipped only when one is missing.
/// </summary>
internal sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return; // CI installs them: a missing one must fail, not skip
        }

        if (!File.Exists(Browser.Chromium))
        {
            Skip = $"{Browser.Chromium} is not installed (apt-get install chromium; scripts/test.sh does it)";
        }
        else if (!Directory.Exists(Path.Combine(Browser.DashboardDir, "node_modules", "playwright-core")))
        {
            Skip = "Gateway/Dashboard/web/node_modules is missing (scripts/dashboard.sh installs it)";
        }
    }
}
