namespace Gateway.Metering.Wallets;

/// <summary>The Lua scripts of wallets and quotas, embedded from Wallets/Scripts.</summary>
internal static class WalletScripts
{
    public static readonly WalletScript Admit = new(Load("admit"));
    public static readonly WalletScript Settle = new(Load("settle"));
    public static readonly WalletScript Rebuild = new(Load("rebuild"));
    public static readonly WalletScript Credit = new(Load("credit"));
    public static readonly WalletScript Configure = new(Load("configure"));
    public static readonly WalletScript Read = new(Load("read"));
    public static readonly WalletScript Snapshot = new(Load("snapshot"));
    public static readonly WalletScript Abandon = new(Load("abandon"));

    private static string Load(string name)
    {
        using var stream = typeof(WalletScripts).Assembly.GetManifestResourceStream($"Scripts/{name}.lua")
            ?? throw new InvalidOperationException($"Script {name}.lua is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
