using Gateway.Admin;
using Gateway.Admission;
using Gateway.Alerts;
using Gateway.Auth;
using Gateway.Capture;
using Gateway.Health;
using Gateway.Meters;
using Gateway.Metering.Events;
using Gateway.Metering.Rating;
using Gateway.Metering.Wallets;
using Gateway.Metering.Sink;
using Gateway.Metering.Tenants;
using Gateway.Metering.Usage;
using Gateway.Proxy;
using Gateway.Simulator;
using Gateway.Startup;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Gateway;

/// <summary>
/// Composes the gateway. Program.cs and the functional tests both build it here, so tests run the real thing.
/// <c>--simulator</c> runs only the simulated provider, at <c>/v1</c>, as its own process.
/// </summary>
internal static class GatewayApp
{
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var simulatorOnly = args.Contains("--simulator");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args.Where(a => a != "--simulator").ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelHttpsConfiguration();
        configure?.Invoke(builder);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<TokenizerOptions>().BindConfiguration(TokenizerOptions.Section)
            .Validate(o => TokenEstimator.KnownEncodings.Contains(o.DefaultEncoding), $"{TokenizerOptions.Section}:DefaultEncoding must be one of: {string.Join(", ", TokenEstimator.KnownEncodings)}.")
            .Validate(o => o.Models.Values.All(TokenEstimator.KnownEncodings.Contains), $"{TokenizerOptions.Section}:Models values must be one of: {string.Join(", ", TokenEstimator.KnownEncodings)}.")
            .ValidateOnStart();
        services.AddSingleton<TokenEstimator>();
        services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.Section).ValidateAttributes<SimulatorOptions, SimulatorOptionsValidator>().ValidateOnStart();
        // The server is configured before options resolve, so the Proxy settings it needs are read here, once; the
        // values are validated at start with the rest. The listening socket is the gateway's and the simulator's.
        var proxy = builder.Configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>() ?? new ProxyOptions();
        builder.WebHost.UseSockets(transport =>
        {
            transport.Backlog = proxy.ListenBacklog;
            transport.UnsafePreferInlineScheduling = proxy.InlineIoScheduling;
        });

        if (simulatorOnly)
        {
            var simulator = builder.Build();
            simulator.MapSimulator("/v1");
            return simulator;
        }

        AddGateway(builder, proxy);
        var app = builder.Build();
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        await app.Services.GetRequiredService<StartupTasks>().RunAsync(CancellationToken.None);

        app.UseMiddleware<Errors.StoreFailureMiddleware>();
        app.MapHealth();
        app.MapAdmin();
        app.MapProxy();
        Telemetry.TelemetryExtensions.MapGatewayTelemetry(app);
        app.MapAdminOpenApi();
        Dashboard.DashboardEndpoints.MapDashboard(app);
        app.MapMeterEvents();
        if (app.Services.GetRequiredService<UpstreamSelector>().UsesInProcessSimulator)
        {
            app.MapSimulator(UpstreamSelector.InProcessPrefix);
        }

        return app;
    }

    private static void AddGateway(WebApplicationBuilder builder, ProxyOptions proxy)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ProvidersOptions>().BindConfiguration(ProvidersOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProvidersOptions>, ProvidersOptionsValidator>();
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateAttributes<ProxyOptions, ProxyOptionsValidator>()
            .Validate(o => o.RequestHeadersTimeout > TimeSpan.Zero, "Proxy:RequestHeadersTimeout must be more than 0.")
            .Validate(o => o.MinRequestBodyDataRateGracePeriod > TimeSpan.FromSeconds(1), "Proxy:MinRequestBodyDataRateGracePeriod must be more than 00:00:01.")
            .ValidateOnStart();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section)
            .Validate(o => o.Token is { Length: >= 16 }, "Admin:Token must be set, at least 16 characters (the admin API's bearer token).")
            .ValidateOnStart();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => o.KeyCacheTtl > TimeSpan.Zero && o.KeyCacheTtl <= TimeSpan.FromSeconds(1), "Auth:KeyCacheTtl must be more than 0 and at most 00:00:01.")
            .ValidateOnStart();
        services.AddOptions<SinkOptions>().BindConfiguration(SinkOptions.Section).ValidateAttributes<SinkOptions, SinkOptionsValidator>().ValidateOnStart();
        services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.Section).ValidateAttributes<AdmissionOptions, AdmissionOptionsValidator>()
            .Validate(o => o.HoldTtl >= TimeSpan.FromSeconds(1), "Admission:HoldTtl must be at least 00:00:01.")
            .Validate(o => o.SweepInterval >= TimeSpan.FromMilliseconds(100), "Admission:SweepInterval must be at least 00:00:00.1.")
            .Validate(o => o.MaxOutputTokens.Values.All(v => v > 0), "Admission:MaxOutputTokens values must be positive.")
            .ValidateOnStart();
        services.AddOptions<MeteringOptions>().BindConfiguration(MeteringOptions.Section)
            .Validate<IOptions<AdmissionOptions>>((m, a) => m.Enabled || !a.Value.Enabled, "Metering:Enabled=false needs Admission:Enabled=false as well (no metering means no wallet or quota checks).")
            .ValidateOnStart();
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section)
            .Validate(o => TenantEndpoints.TenantId().IsMatch(o.TenantId), "Demo:TenantId must match [a-z0-9][a-z0-9_-]{0,63}.")
            .ValidateOnStart();

        var redis = Required(configuration, "Redis");
        var postgres = Required(configuration, "Postgres");
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(redis);
            options.AbortOnConnectFail = false; // start and report not-ready rather than crash; reconnects by itself
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(postgres).Build());

        services.AddSingleton<EventIds>();
        services.AddSingleton<ChannelEventSink>();
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<ChannelEventSink>());
        services.AddSingleton<PostgresEventWriter>();
        services.AddHostedService<EventFlusherService>();
        services.AddHostedService<StreamFlusherService>();
        services.AddSingleton<PriceCatalog>();
        services.AddSingleton<PriceStore>();
        services.AddSingleton<PriceBook>();
        services.AddSingleton<PricingSync>();
        services.AddHostedService(sp => sp.GetRequiredService<PriceBook>());
        services.AddSingleton<WalletStore>();
        services.AddSingleton<WalletLedger>();
        services.AddSingleton<WalletRebuilder>();
        services.AddSingleton<WalletPosting>();
        services.AddSingleton<CreditExpiry>();
        services.AddBilling();
        services.AddSingleton<SettleTracker>();
        services.AddSingleton<Reconciler>();
        services.AddSingleton(sp => new ReconciliationService(
            sp.GetRequiredService<Reconciler>(),
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AdmissionOptions>>().Value.ReconcileInterval,
            sp.GetRequiredService<ILogger<ReconciliationService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ReconciliationService>());
        services.AddHostedService(sp => new HoldSweeperService(
            sp.GetRequiredService<WalletStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AdmissionOptions>>().Value.SweepInterval,
            sp.GetRequiredService<ILogger<HoldSweeperService>>()));
        services.AddSingleton<AdmissionGate>();
        services.AddAlerts();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<TenantCatalog>();
        services.AddSingleton<KeyStore>();
        services.AddSingleton<EventReader>();
        services.AddExport();
        services.AddSingleton<StartupTasks>();
        services.AddSingleton<RedisSeeder>();
        services.AddSingleton<RedisEpochWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisEpochWatcher>());

        services.AddSingleton<KeyCache>();
        services.AddSingleton<VirtualKeyAuthenticator>();
        services.AddSingleton<AdminTokenFilter>();
        services.AddSingleton<UpstreamSelector>();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<EventFactory>();
        services.AddSingleton<ProxyHandler>();
        services.AddSingleton<UnmeteredForwarder>();
        services.AddHttpForwarder();
        Telemetry.TelemetryExtensions.AddGatewayTelemetry(builder);
        services.AddAdminOpenApi();
        GracefulShutdown.Register(builder);
        Memory.MemoryTrimmer.Register(services);

        services.AddSingleton<TenantStreamLimiter>();
        services.AddSingleton<ResponseHeaderPolicy>();

        // Kestrel's limits come from the Proxy settings read in CreateAsync.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = proxy.MaxRequestBodySize;
            kestrel.Limits.RequestHeadersTimeout = proxy.RequestHeadersTimeout;
            kestrel.Limits.MinRequestBodyDataRate = proxy.MinRequestBodyDataRate > 0
                ? new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(proxy.MinRequestBodyDataRate, proxy.MinRequestBodyDataRateGracePeriod)
                : null;
        });

        // Hosting logs every request line at Information, query string included, and Gemini clients may send their
        // key as ?key=. Capped here, after configuration's rules, so no logging level can bring those lines back.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", level => level >= LogLevel.Warning);
    }

    private static string Required(IConfiguration configuration, string name)
        => configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new OptionsValidationException($"ConnectionStrings:{name}", typeof(string), [$"ConnectionStrings:{name} must be set."]);
}
