using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Core;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Junipeer.Tests.Storage;

/// <summary>What `integration add` refuses: non-vendor URLs (unless the dev switch allows loopback) and secrets outside the integration's namespace.</summary>
public class IntegrationRulesTests(AzuriteFixture azurite)
{
    private static Integration Example() =>
        JsonSerializer.Deserialize<Integration>(File.ReadAllText(Path.Combine(AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json")), JunipeerJson.Options)!;

    private static Integration WithUrls(Integration i, string? api = null, string? token = null, string? centra = null) => i with
    {
        Erp = i.Erp with { VismaNet = i.Erp.VismaNet! with { ApiBaseUrl = api ?? i.Erp.VismaNet!.ApiBaseUrl, TokenUrl = token ?? i.Erp.VismaNet!.TokenUrl } },
        Shop = i.Shop with { Centra = i.Shop.Centra! with { GraphQlUrl = centra ?? i.Shop.Centra!.GraphQlUrl } },
    };

    [Fact]
    public void Vendor_https_hosts_are_accepted()
    {
        var ok = WithUrls(Example(), "https://api.finance.visma.net", "https://connect.visma.com/connect/token", "https://acme.centraqa.com/graphql");
        Assert.Empty(IntegrationValidator.Problems(ok));
        Assert.Empty(IntegrationValidator.Problems(WithUrls(Example(), centra: "https://ACME.centra.com/graphql")));
    }

    [Theory]
    [InlineData("centra", "http://acme.centra.com/graphql")]
    [InlineData("centra", "https://127.0.0.1:5001/graphql")]
    [InlineData("centra", "http://localhost/graphql")]
    [InlineData("centra", "https://169.254.169.254/metadata/identity")]
    [InlineData("centra", "http://169.254.169.254/latest/meta-data/")]
    [InlineData("centra", "https://[::1]/graphql")]
    [InlineData("centra", "https://centra.com/graphql")]
    [InlineData("centra", "https://evil.example/graphql")]
    [InlineData("centra", "https://acme.centra.com.evil.example/graphql")]
    [InlineData("centra", "https://a.b.centra.com/graphql")]
    [InlineData("centra", "https://api.finance.visma.net/graphql")]
    [InlineData("centra", "https://acme.centra.com@evil.example/graphql")]
    [InlineData("api", "http://api.finance.visma.net")]
    [InlineData("api", "https://api.finance.visma.net.evil.example")]
    [InlineData("api", "https://integration.visma.net/API")]
    [InlineData("api", "https://10.0.0.5")]
    [InlineData("token", "https://connect.visma.com.evil.example/connect/token")]
    [InlineData("token", "https://acme.centra.com/connect/token")]
    [InlineData("token", "http://connect.visma.com/connect/token")]
    public void Other_urls_are_refused_with_INTEGRATION_URL_NOT_ALLOWED(string field, string url)
    {
        var bad = field switch
        {
            "api" => WithUrls(Example(), api: url),
            "token" => WithUrls(Example(), token: url),
            _ => WithUrls(Example(), centra: url),
        };
        var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(bad));
        Assert.Equal(ErrorCodes.IntegrationUrlNotAllowed, ex.Code);
        Assert.Contains("is not allowed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_development_switch_allows_loopback_only()
    {
        var dev = new IntegrationRules { AllowLoopbackHttp = true };
        Assert.Empty(IntegrationValidator.Problems(WithUrls(Example(), "http://127.0.0.1:5001/visma", "http://localhost:5001/connect/token", "http://[::1]:5001/graphql"), dev));
        foreach (var url in new[] { "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/graphql", "http://acme.centra.com/graphql", "http://user@127.0.0.1/graphql" })
        {
            var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(WithUrls(Example(), centra: url), dev));
            Assert.Equal(ErrorCodes.IntegrationUrlNotAllowed, ex.Code);
        }

        // Off by default, read from the one key the CLI and the app share.
        Assert.False(new JunipeerOptions().Development.AllowLoopbackHttp);
        Assert.False(IntegrationRules.FromSetting(null).AllowLoopbackHttp);
        Assert.True(IntegrationRules.FromSetting("true").AllowLoopbackHttp);
        Assert.Equal("Junipeer:Development:AllowLoopbackHttp", IntegrationRules.AllowLoopbackHttpKey);
    }

    [Fact]
    public void Secret_names_must_start_with_the_integration_ids_letters_and_digits()
    {
        var good = Example();
        Assert.Equal("acmese", IntegrationValidator.SecretScope(good.Id));
        foreach (var name in new[] { "centraTokenAcme", "acmenoCentraToken", "acmese", "acmsCentraToken", "demoseCentraToken" })
        {
            var bad = good with { Shop = good.Shop with { Centra = good.Shop.Centra! with { TokenSecretName = name } } };
            var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(bad));
            Assert.Equal(ErrorCodes.IntegrationSecretNotScoped, ex.Code);
            Assert.Contains($"'{name}' must start with 'acmese'", ex.Message, StringComparison.Ordinal);
        }

        Assert.Empty(IntegrationValidator.Problems(good with { Shop = good.Shop with { Centra = good.Shop.Centra! with { TokenSecretName = "ACMESECentraToken" } } }));
        // A malformed name stays a settings problem, and it wins over the scope code.
        var both = good with { Erp = good.Erp with { VismaNet = good.Erp.VismaNet! with { ClientSecretName = "has-hyphens" } }, Shop = good.Shop with { Centra = good.Shop.Centra! with { TokenSecretName = "otherToken" } } };
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(both)).Code);
    }

    /// <summary>Several integrations on one Centra store each own a slice of its orders (here: a shipping country).</summary>
    private static Integration Owning(Integration i, string country) =>
        i with
        {
            Shop = i.Shop with { Centra = i.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { Countries = [country] } } },
            Orders = i.Orders with { ReferencePrefix = $"CENTRA-{country}-" }, // own invoice references in the shared ERP company
        };

    private static Integration WithPsp(Integration i, string psp, string? url, string? key) => i with
    {
        Payouts = i.Payouts with
        {
            Providers = new Dictionary<string, Junipeer.Core.Payouts.PspPayoutSettings>
            {
                [psp] = new() { PaymentMethodId = "PSP", CashAccount = "1930", ApiBaseUrl = url, ApiKeySecretName = key },
            },
        },
    };

    [Theory]
    [InlineData("stripe", "https://api.stripe.com", null)]
    [InlineData("adyen", "https://ca-live.adyen.com/reports/download", null)]
    [InlineData("adyen", "https://ca-test.adyen.com/reports/download", null)]
    [InlineData("klarna", "https://api.klarna.com/settlements/v1", null)]
    [InlineData("klarna", "https://api-na.playground.klarna.com/settlements/v1", null)]
    [InlineData("stripe", "https://evil.example.com", ErrorCodes.IntegrationUrlNotAllowed)]
    [InlineData("stripe", "http://api.stripe.com", ErrorCodes.IntegrationUrlNotAllowed)]
    [InlineData("adyen", "https://169.254.169.254/reports", ErrorCodes.IntegrationUrlNotAllowed)]
    [InlineData("klarna", "https://api.stripe.com", ErrorCodes.IntegrationUrlNotAllowed)]
    public void PSP_urls_are_https_on_the_PSPs_own_hosts(string psp, string url, string? code)
    {
        var i = WithPsp(Example(), psp, url, null);
        if (code is null)
            Assert.Empty(IntegrationValidator.Problems(i));
        else
            Assert.Equal(code, Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(i)).Code);
    }

    [Fact]
    public void PSP_credentials_are_the_integrations_own_secrets_and_unknown_PSPs_are_refused()
    {
        var example = Example();
        var scope = IntegrationValidator.SecretScope(example.Id);
        Assert.Empty(IntegrationValidator.Problems(WithPsp(example, "stripe", null, scope + "StripeKey")));

        // Another integration's Stripe key (or any name outside this one's namespace) cannot be borrowed.
        var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(WithPsp(example, "stripe", null, "otherStripeKey")));
        Assert.Equal(ErrorCodes.IntegrationSecretNotScoped, ex.Code);
        Assert.Contains("Payouts.Providers.stripe.ApiKeySecretName", ex.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(WithPsp(example, "paypal", null, scope + "Key")));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, unknown.Code);
        Assert.Contains("'paypal'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saving_refuses_bad_urls_and_secrets_in_another_integrations_namespace()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, _) = Store(allowLoopback: false);
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var ab = Owning(Renamed(Example(), "ab" + suffix), "SE");
        await store.SaveAsync(ab, ct);

        // "ab…x" is nested in "ab…"'s namespace: it may not use a secret of "ab…"'s …
        var abx = Owning(Renamed(Example(), ab.Id + "x"), "NO");
        var stealing = abx with { Shop = abx.Shop with { Centra = abx.Shop.Centra! with { TokenSecretName = ab.Shop.Centra!.TokenSecretName } } };
        Assert.Equal(ErrorCodes.IntegrationSecretNotScoped, (await Assert.ThrowsAsync<JunipeerException>(() => store.SaveAsync(stealing, ct))).Code);
        // … and "ab…" may not reach into "ab…x"'s namespace.
        await store.SaveAsync(abx, ct);
        var reaching = ab with { Shop = ab.Shop with { Centra = ab.Shop.Centra! with { TokenSecretName = IntegrationValidator.SecretScope(abx.Id) + "CentraToken" } } };
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => store.SaveAsync(reaching, ct));
        Assert.Equal(ErrorCodes.IntegrationSecretNotScoped, ex.Code);
        Assert.Contains(abx.Id, ex.Message, StringComparison.Ordinal);
        // Same letters, different hyphens: the namespaces are equal, so the second id is refused.
        var twin = Owning(Renamed(Example(), ab.Id[..2] + "-" + ab.Id[2..]), "DK");
        Assert.Equal(ErrorCodes.IntegrationSecretNotScoped, (await Assert.ThrowsAsync<JunipeerException>(() => store.SaveAsync(twin, ct))).Code);

        var sandboxy = WithUrls(Renamed(Example(), "lo" + suffix), centra: "http://127.0.0.1:5001/graphql");
        sandboxy = sandboxy with { Orders = sandboxy.Orders with { ReferencePrefix = "LO-" } };
        Assert.Equal(ErrorCodes.IntegrationUrlNotAllowed, (await Assert.ThrowsAsync<JunipeerException>(() => store.SaveAsync(sandboxy, ct))).Code);
        var (devStore, _) = Store(allowLoopback: true, prefix: null);
        await devStore.SaveAsync(sandboxy, ct);
        Assert.Equal("http://127.0.0.1:5001/graphql", (await store.GetAsync(sandboxy.Id, ct))!.Shop.Centra!.GraphQlUrl);
    }

    [Fact]
    public async Task Integration_add_refuses_with_the_code_and_stores_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = "cr" + Guid.NewGuid().ToString("N")[..8];
        var settings = Path.Combine(Path.GetTempPath(), $"{prefix}.local.settings.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new
        {
            IsEncrypted = false,
            Values = new Dictionary<string, string> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = prefix },
        }), ct);
        var metadata = Path.Combine(Path.GetTempPath(), $"{prefix}.metadata.json");
        await File.WriteAllTextAsync(metadata, JsonSerializer.Serialize(WithUrls(Example(), centra: "http://169.254.169.254/latest/meta-data/"), JunipeerJson.Options), ct);
        var foreign = Path.Combine(Path.GetTempPath(), $"{prefix}.foreign.json");
        var e = Example();
        await File.WriteAllTextAsync(foreign, JsonSerializer.Serialize(e with { Shop = e.Shop with { Centra = e.Shop.Centra! with { WebhookSecretName = "acmenoCentraWebhookSecret" } } }, JunipeerJson.Options), ct);

        Assert.Equal(2, await Junipeer.Cli.Program.Main(["integration", "add", "--file", metadata, "--settings", settings]));
        Assert.Equal(2, await Junipeer.Cli.Program.Main(["integration", "add", "--file", foreign, "--settings", settings]));
        var (store, _) = Store(allowLoopback: false, prefix: prefix);
        Assert.Null(await store.GetAsync("acme-se", ct));
    }

    [Fact]
    public async Task The_cache_serves_reads_from_memory_until_the_ttl_and_a_save_invalidates_at_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = "ch" + Guid.NewGuid().ToString("N")[..8];
        var (table, config) = Store(allowLoopback: false, prefix: prefix);
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        var options = Microsoft.Extensions.Options.Options.Create(new JunipeerOptions { Webhooks = new WebhookOptions { IntegrationCacheSeconds = 30 } });
        var cached = new CachedIntegrationStore(table, time, options);
        var i = Example();

        Assert.Null(await cached.GetAsync(i.Id, ct)); // unknown ids are cached too
        await cached.SaveAsync(i, ct);                // … and a save invalidates that entry
        Assert.Equal(i.Name, (await cached.GetAsync(i.Id, ct))!.Name);

        // Another instance changes the row: this one serves its copy until the TTL runs out.
        var other = new TableIntegrationStore(new StorageClients(config), config);
        await other.SaveAsync(i with { Name = "renamed elsewhere" }, ct);
        Assert.Equal(i.Name, (await cached.GetAsync(i.Id, ct))!.Name);

        // … but never to a queue handler for work enqueued after its copy was read (the enqueuer may have seen the
        // change: a sweep that read "payouts on" enqueued refund checks a cached "payouts off" dropped, 274 of 300).
        time.Advance(TimeSpan.FromSeconds(1));
        var item = Junipeer.Core.Sync.WorkItem.ForRefunds(i.Id, "1", Junipeer.Core.Sync.WorkReasons.Sweep, "c", time.GetUtcNow());
        Assert.Equal("renamed elsewhere", (await cached.GetForWorkAsync(item, ct))!.Name);
        // Work enqueued well before the copy was read is served from the cache (no read per message).
        var older = item with { EnqueuedAt = time.GetUtcNow() - TimeSpan.FromMinutes(1) };
        await other.SaveAsync(i with { Name = "renamed again" }, ct);
        Assert.Equal("renamed elsewhere", (await cached.GetForWorkAsync(older, ct))!.Name);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("renamed again", (await cached.GetAsync(i.Id, ct))!.Name);

        // A save through the cache is visible on the next read, without waiting.
        await cached.SaveAsync(i with { Name = "renamed here" }, ct);
        Assert.Equal("renamed here", (await cached.GetAsync(i.Id, ct))!.Name);
    }

    private static Integration Renamed(Integration i, string id)
    {
        var scope = IntegrationValidator.SecretScope(id);
        return i with
        {
            Id = id,
            Erp = i.Erp with { VismaNet = i.Erp.VismaNet! with { ClientSecretName = scope + "VismaClientSecret" } },
            Shop = i.Shop with { Centra = i.Shop.Centra! with { TokenSecretName = scope + "CentraToken", WebhookSecretName = scope + "CentraWebhookSecret", PreviousWebhookSecretName = null } },
        };
    }

    private string? _prefix;

    [Fact]
    public async Task Visma_test_environment_urls_are_held_to_the_same_rules_as_production_ones_when_an_integration_is_saved()
    {
        var ct = TestContext.Current.CancellationToken;
        TableIntegrationStore With(string? testApi, string? testToken = null, bool allowLoopback = false)
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "te" + Guid.NewGuid().ToString("N")[..8],
                [IntegrationRules.AllowLoopbackHttpKey] = allowLoopback ? "true" : null,
                [IntegrationRules.VismaTestApiBaseUrlKey] = testApi,
                [IntegrationRules.VismaTestTokenUrlKey] = testToken,
            }).Build();
            return new TableIntegrationStore(new StorageClients(config), config);
        }

        var i = Example();
        var test = i with { Erp = i.Erp with { VismaNet = i.Erp.VismaNet! with { Environment = VismaEnvironment.Test, ApiBaseUrl = null, TokenUrl = null } } };
        Assert.Null(test.Erp.VismaNet!.AuthorizeUrl);

        // The deployment's test URL must be https on a Visma host, like an integration's own override.
        foreach (var bad in new[] { "http://api.finance.visma.net", "https://evil.example", "https://10.0.0.5", "http://127.0.0.1:7000" })
        {
            var ex = await Assert.ThrowsAsync<JunipeerException>(() => With(bad).SaveAsync(test, ct));
            Assert.Equal(ErrorCodes.IntegrationUrlNotAllowed, ex.Code);
            Assert.Contains("Junipeer:VismaNet:TestApiBaseUrl", ex.Message, StringComparison.Ordinal);
        }

        var token = await Assert.ThrowsAsync<JunipeerException>(() => With("https://api.finance.visma.net", "https://connect.visma.com.evil.example/connect/token").SaveAsync(test, ct));
        Assert.Equal(ErrorCodes.IntegrationUrlNotAllowed, token.Code);
        Assert.Contains("TestTokenUrl", token.Message, StringComparison.Ordinal);

        // Test without any test URL is refused on save instead of failing at the first sync.
        var missing = await Assert.ThrowsAsync<JunipeerException>(() => With(null).SaveAsync(test, ct));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, missing.Code);
        Assert.Contains("TestApiBaseUrl", missing.Message, StringComparison.Ordinal);

        // Accepted: a Visma https host; loopback only with the development switch; production integrations never look at them.
        await With("https://api.finance.visma.net").SaveAsync(test, ct);
        await With("http://127.0.0.1:7000", allowLoopback: true).SaveAsync(test, ct);
        await With("https://evil.example").SaveAsync(i, ct);
        Assert.Contains(IntegrationValidator.Problems(test with { Erp = test.Erp with { VismaNet = test.Erp.VismaNet with { Environment = (VismaEnvironment)7 } } }),
            p => p.Contains("Production or Test", StringComparison.Ordinal));
    }

    private (TableIntegrationStore Store, IConfiguration Config) Store(bool allowLoopback, string? prefix = null)
    {
        _prefix ??= "ir" + Guid.NewGuid().ToString("N")[..8];
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = prefix ?? _prefix,
            [IntegrationRules.AllowLoopbackHttpKey] = allowLoopback ? "true" : null,
        }).Build();
        return (new TableIntegrationStore(new StorageClients(config), config), config);
    }
}
