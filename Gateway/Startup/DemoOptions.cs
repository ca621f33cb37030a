namespace Gateway.Startup;

/// <summary>The demo tenant the run script seeds. Bound from <c>Demo</c>.</summary>
internal sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Tenant to create at start when <see cref="Key"/> is set. Default <c>demo</c>.</summary>
    public string TenantId { get; set; } = "demo";

    /// <summary>A virtual key to register for the demo tenant (the run script makes one and keeps it in .data/).
    /// Empty: no demo seeding.</summary>
    public string? Key { get; set; }
}
