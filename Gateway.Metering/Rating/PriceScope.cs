namespace Gateway.Metering.Rating;

/// <summary>Who a price applies to. A tenant's own price wins over its plan's, which wins over everyone's.</summary>
internal static class PriceScope
{
    public const string Global = "";

    public static string Plan(string planId) => "plan:" + planId;

    public static string Tenant(string tenantId) => "tenant:" + tenantId;

    public static bool IsTenant(string scope) => scope.StartsWith("tenant:", StringComparison.Ordinal);
}
