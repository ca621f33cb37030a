namespace Gateway.Fuzz;

/// <summary>Everything fuzzed: the request-body checks and every usage parser.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All() => [RequestBodyTarget.Create(), .. UsageCaptureTarget.All()];
}
