namespace Gateway.Metering.Wallets;

/// <summary>The Lua scripts of wallets and quotas, embedded from Wallets/Scripts.</summary>
internal static class WalletScripts
{
    public static readonly string Admit = Load("admit");
    public static readonly string Settle = Load("settle");
    public static readonly string Rebuild = Load("rebuild");
    public static readonly string Credit = Load("credit");
    public static readonly string Configure = Load("configure");
    public static readonly string Read = Load("read");
    public static readonly string Snapshot = Load("snapshot");
    public static readonly string Abandon = Load("abandon");

    private static string Load(string name)
    {
        using var stream = typeof(WalletScripts).Assembly.GetManifestResourceStream($"Scripts/{name}.lua")
            ?? throw new InvalidOperationException($"Script {name}.lua is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
