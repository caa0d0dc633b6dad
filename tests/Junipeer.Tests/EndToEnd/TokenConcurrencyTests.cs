using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Integrations;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.EndToEnd;

/// <summary>Visma Connect token refresh against the Sandbox and the Tokens table in Azurite.</summary>
public class TokenConcurrencyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Concurrent_callers_in_two_instances_cause_one_token_request()
    {
        await using var a = await EngineHarness.StartAsync(azurite);

        // Two "instances": separate providers (own in-memory cache and lock), one Tokens table.
        var one = ActivatorUtilities.CreateInstance<VismaConnectTokenProvider>(a.Services);
        var two = ActivatorUtilities.CreateInstance<VismaConnectTokenProvider>(a.Services);
        var tokens = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? one : two).GetAccessTokenAsync(a.Integration, TestContext.Current.CancellationToken)));

        Assert.Single(tokens.Distinct());
        Assert.Equal(1, a.Sandbox.State.Stats.TokensFor(a.Tenant));
    }

    [Fact]
    public async Task Expiring_token_is_refreshed_once_before_expiry()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = time });
        h.Sandbox.State.Visma.TokenExpiresInSeconds = 3600;
        var provider = h.Services.GetRequiredService<VismaConnectTokenProvider>();
        var first = await provider.GetAccessTokenAsync(h.Integration, TestContext.Current.CancellationToken);
        Assert.Equal(first, await provider.GetAccessTokenAsync(h.Integration, TestContext.Current.CancellationToken));

        time.Advance(TimeSpan.FromSeconds(3600 - 200)); // inside the 300 s refresh skew
        var refreshed = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => provider.GetAccessTokenAsync(h.Integration, TestContext.Current.CancellationToken)));
        Assert.Single(refreshed.Distinct());
        Assert.NotEqual(first, refreshed[0]);
        Assert.Equal(2, h.Sandbox.State.Stats.TokensFor(h.Tenant));
    }

    [Fact]
    public async Task Wrong_client_secret_fails_the_order_with_ERP_AUTH_FAILED()
    {
        var id = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            Settings = new() { [$"Secrets:{Junipeer.Cli.Demo.DemoScenario.VismaSecretNameFor(id)}"] = "wrong" },
        });
        h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(2101));
        await h.SweepAsync();
        await h.DrainAsync();
        var entry = await h.LedgerAsync(2101);
        Assert.Equal(Junipeer.Core.Errors.ErrorCodes.ErpAuthFailed, entry!.ErrorCode);
        Assert.Equal(Junipeer.Core.Sync.LedgerStatus.Failed, entry.Status);
    }
}
