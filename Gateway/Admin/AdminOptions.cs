namespace Gateway.Admin;

/// <summary>The admin API. Bound from <c>Admin</c>.</summary>
internal sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Bearer token of the admin API; required, at least 16 characters. Compared in constant time.</summary>
    public string? Token { get; set; }
}
