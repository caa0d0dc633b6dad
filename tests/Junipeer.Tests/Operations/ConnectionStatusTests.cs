using Junipeer.Cli.Demo;
using Junipeer.Core.Errors;
using Junipeer.Core.Operations;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Operations;

/// <summary>
/// Connection status per system (connected / expired / revoked / never-connected) from real signals: the
/// Visma token provider's results, CONNECTION_AUTH_FAILED events (a connector answered 401) and successful
/// syncs; the same list in the console's overview.
/// </summary>
public class ConnectionStatusTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ConnectionState Of(IReadOnlyList<ConnectionState> list, string system) => Assert.Single(list, c => c.System == system);

    [Fact]
    public async Task Every_system_starts_never_connected_and_a_synced_order_connects_Visma_and_Centra()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var reader = h.Services.GetRequiredService<ConnectionStatusReader>();
        var before = await reader.GetAsync(h.Integration.Id, Ct);
        Assert.Equal(["centra", "vismanet"], before.Select(c => c.System).Order(StringComparer.Ordinal));
        Assert.All(before, c => Assert.Equal(ConnectionStatuses.NeverConnected, c.Status));

        h.AddOrder(DemoData.SwedishOrder(3401));
        Assert.Null((await h.HandleAsync(3401)).ErrorCode);
        var after = await reader.GetAsync(h.Integration.Id, Ct);
        Assert.Equal((ConnectionStatuses.Connected, "erp"), (Of(after, "vismanet").Status, Of(after, "vismanet").Role));
        Assert.Equal((ConnectionStatuses.Connected, "shop", "last successful sync"), (Of(after, "centra").Status, Of(after, "centra").Role, Of(after, "centra").Signal));
        Assert.All(after, c => Assert.Null(c.ErrorCode));

        // The console shows the same list.
        var overview = await h.Services.GetRequiredService<OperationsService>().OverviewAsync(h.Integration.Id, 3, Ct);
        Assert.Equal(after.Select(c => (c.System, c.Status)), overview.Connections!.Select(c => (c.System, c.Status)));
    }

    [Fact]
    public async Task A_refused_ERP_secret_is_revoked_with_ERP_AUTH_FAILED_and_never_shows_the_secret()
    {
        var id = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            Settings = { [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = "revoked-client-secret" },
        });
        h.AddOrder(DemoData.SwedishOrder(3501));
        Assert.Equal(ErrorCodes.ErpAuthFailed, (await h.HandleAsync(3501)).ErrorCode);

        var status = await h.Services.GetRequiredService<ConnectionStatusReader>().GetAsync(h.Integration.Id, Ct);
        var visma = Of(status, "vismanet");
        Assert.Equal(ConnectionStatuses.Revoked, visma.Status);
        Assert.Equal(ErrorCodes.ErpAuthFailed, visma.ErrorCode);
        Assert.NotNull(visma.At);
        Assert.DoesNotContain("revoked-client-secret", visma.Message ?? "", StringComparison.Ordinal);
        Assert.Equal(ConnectionStatuses.NeverConnected, Of(status, "centra").Status); // no sync finished, so nothing proves Centra yet
    }

    [Fact]
    public async Task An_expired_Centra_token_is_revoked_with_SHOP_AUTH_FAILED_until_a_later_sync_succeeds()
    {
        var clock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        var id = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            EngineTime = clock,
            Settings = { [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = "expired-token" },
        });
        await h.SweepAsync();
        var status = await h.Services.GetRequiredService<ConnectionStatusReader>().GetAsync(h.Integration.Id, Ct);
        var centra = Of(status, "centra");
        Assert.Equal((ConnectionStatuses.Revoked, ErrorCodes.ShopAuthFailed, $"{ErrorCodes.ConnectionAuthFailed} event"), (centra.Status, centra.ErrorCode, centra.Signal));
        Assert.DoesNotContain("expired-token", centra.Message ?? "", StringComparison.Ordinal);

        // A success recorded after the refusal (the token was renewed and an entity synced) decides again.
        clock.Advance(TimeSpan.FromMinutes(5));
        var ledger = h.Services.GetRequiredService<ISyncLedger>();
        await ledger.SaveAsync(new LedgerEntry
        {
            Key = new LedgerKey(h.Integration.Id, Flows.Orders, "3601"), Status = LedgerStatus.Done, Phase = "GiftPaymentReleased", UpdatedAt = clock.GetUtcNow(),
        }, Ct);
        Assert.Equal(ConnectionStatuses.Connected, Of(await h.Services.GetRequiredService<ConnectionStatusReader>().GetAsync(h.Integration.Id, Ct), "centra").Status);
    }
}
