using Junipeer.Core.Errors;
using Junipeer.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Shadow;
using Junipeer.Core.Sync;
using Junipeer.Functions.Payouts;
using Junipeer.Sandbox.Adyen;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts.Adyen;

/// <summary>
/// The Adyen batch timer per merchant account (review findings): one account's failure no longer aborts the others;
/// a first probe refused, and an account with no new batch for longer than Junipeer:Payouts:BatchOverdueHours, raise
/// operator alerts (a mistyped account looked forever like "not published yet"); a shadow run walks every batch with its
/// own cursor (it re-probed the first BatchProbesPerRun batches forever). Engine on Azurite, the Adyen and Visma
/// emulators over HTTP, fake engine time.
/// </summary>
public class AdyenBatchAccountTests(AzuriteFixture azurite)
{
    private const string Other = "NordTrailDK";

    private static Task<PayoutSweepResult> SweepAsync(AdyenKit k) =>
        k.H.Services.GetRequiredService<PayoutSweepHandler>().RunAsync(TestContext.Current.CancellationToken);

    private static async Task<IReadOnlyList<OperatorEvent>> EventsAsync(AdyenKit k, string code) =>
        [.. (await k.H.Services.GetRequiredService<IEventLog>().ListAsync(k.Integration.Id, 500, TestContext.Current.CancellationToken)).Where(e => e.ErrorCode == code)];

    private static Task<string?> MappingAsync(AdyenKit k, string kind, string account) =>
        k.H.Services.GetRequiredService<IMappingStore>().GetAsync(k.Integration.Id, kind, account, TestContext.Current.CancellationToken);

    [Fact]
    public async Task An_account_refused_on_its_first_probe_raises_its_alert_and_the_other_account_is_still_booked()
    {
        var k = await AdyenKit.StartAsync(azurite, firstBatch: 1, accounts: new Dictionary<string, long> { [Other] = 1 });
        await using var _ = k.H;
        var inv = await k.H.InvoicesAsync((7501, "anna@example.se"));
        k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new("NT-7501", inv[7501].Amount, 2.00m)] });
        k.Adyen.RefusedMerchantAccounts.Add(Other); // the report user may not read NordTrailDK (probed first: D < S)

        var result = await SweepAsync(k);
        Assert.Equal(1, result.Errors);
        Assert.Equal(1, result.Enqueued);
        Assert.Equal(1, await k.H.DrainPayoutsAsync(rounds: 20));
        Assert.Equal(inv[7501].Amount - 2.00m, Assert.Single(k.H.Payments).PaymentAmount);

        var refused = Assert.Single(await EventsAsync(k, ErrorCodes.PayoutBatchAccountRefused));
        Assert.Equal($"payouts-batch:adyen:{Other}", refused.EntityKey);
        Assert.Contains($"'{Other}'", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(refused.Fix);
        var failed = Assert.Single(await EventsAsync(k, ErrorCodes.SweepFailed));
        Assert.Equal($"payouts-sweep:adyen:{Other}", failed.EntityKey);
        Assert.Null(await MappingAsync(k, BatchPayoutSweep.CursorKind(PayoutProviders.Adyen), Other));
        Assert.Equal("1", await MappingAsync(k, BatchPayoutSweep.CursorKind(PayoutProviders.Adyen), AdyenKit.Merchant));
        Assert.Equal(0, k.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task An_account_with_no_new_batch_for_longer_than_the_overdue_age_raises_PAYOUT_BATCH_OVERDUE()
    {
        var clock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        const string typo = "NordTrailSEE"; // a mistyped account: every probe is a 404, exactly like "not yet"
        var k = await AdyenKit.StartAsync(azurite, firstBatch: 1, engineTime: clock, accounts: new Dictionary<string, long> { [typo] = 1 },
            settings: new Dictionary<string, string> { ["Junipeer:Payouts:BatchOverdueHours"] = "24" });
        await using var _ = k.H;
        var inv = await k.H.InvoicesAsync((7511, "bo@example.se"), (7512, "cecilia@example.se"));
        k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new("NT-7511", inv[7511].Amount, 1.00m)] });

        await SweepAsync(k);
        await k.H.DrainPayoutsAsync(rounds: 20);
        clock.Advance(TimeSpan.FromHours(23));
        await SweepAsync(k);
        Assert.Empty(await EventsAsync(k, ErrorCodes.PayoutBatchOverdue)); // within the age: batch 2 is simply not published yet

        clock.Advance(TimeSpan.FromHours(2));
        var result = await SweepAsync(k);
        Assert.Equal(0, result.Errors);
        var overdue = await EventsAsync(k, ErrorCodes.PayoutBatchOverdue);
        Assert.Equal(
            new[] { $"payouts-batch:adyen:{AdyenKit.Merchant}", $"payouts-batch:adyen:{typo}" },
            overdue.Select(e => e.EntityKey).Order(StringComparer.Ordinal));
        Assert.Contains("batch 2", overdue.Single(e => e.EntityKey.EndsWith(AdyenKit.Merchant, StringComparison.Ordinal)).Message, StringComparison.Ordinal);
        Assert.All(overdue, e => Assert.Contains("BatchOverdueHours is 24", e.Message, StringComparison.Ordinal));

        // Batch 2 closes: found, the account's clock starts again; the mistyped one stays overdue.
        k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new("NT-7512", inv[7512].Amount, 1.00m)] });
        await SweepAsync(k);
        Assert.Equal(clock.GetUtcNow(), DateTimeOffset.Parse(
            (await MappingAsync(k, BatchPayoutSweep.SeenKind(PayoutProviders.Adyen), AdyenKit.Merchant))!, System.Globalization.CultureInfo.InvariantCulture));
        clock.Advance(TimeSpan.FromHours(1)); // past the alerts' quiet window
        await SweepAsync(k);
        overdue = await EventsAsync(k, ErrorCodes.PayoutBatchOverdue);
        Assert.Single(overdue, e => e.EntityKey.EndsWith(AdyenKit.Merchant, StringComparison.Ordinal));
        Assert.Equal(2, overdue.Count(e => e.EntityKey.EndsWith(typo, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_overdue_account_with_a_gap_in_its_batch_numbers_is_told_which_batch_is_missing()
    {
        var clock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        var k = await AdyenKit.StartAsync(azurite, firstBatch: 41, engineTime: clock, settings: new Dictionary<string, string> { ["Junipeer:Payouts:BatchOverdueHours"] = "24" });
        await using var _ = k.H;
        var inv = await k.H.InvoicesAsync((7521, "david@example.se"), (7522, "eva@example.se"));
        k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new("NT-7521", inv[7521].Amount, 1.00m)], BatchNumber = 41 });
        k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new("NT-7522", inv[7522].Amount, 1.00m)], BatchNumber = 43 }); // 42 never comes

        await SweepAsync(k);
        await k.H.DrainPayoutsAsync(rounds: 20);
        clock.Advance(TimeSpan.FromHours(25));
        await SweepAsync(k);

        var overdue = Assert.Single(await EventsAsync(k, ErrorCodes.PayoutBatchOverdue));
        Assert.Contains("batch 42", overdue.Message, StringComparison.Ordinal);
        Assert.Contains("Batch 43 exists, so batch 42 is missing", overdue.Message, StringComparison.Ordinal);
        Assert.Single(k.H.Payments); // the timer does not jump the gap by itself
    }

    [Theory]
    [InlineData("0")]
    [InlineData("8761")]
    public async Task An_overdue_age_out_of_range_stops_start_up_and_is_named(string hours)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(new byte[32]),
            ["Junipeer:Payouts:BatchOverdueHours"] = hours,
        });
        builder.AddJunipeer();
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Junipeer:Payouts:BatchOverdueHours", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shadow_run_walks_every_batch_with_its_own_cursor()
    {
        var k = await AdyenKit.StartAsync(azurite, firstBatch: 1);
        await using var _ = k.H;
        var shadow = k.Integration with { Mode = IntegrationMode.Shadow };
        await k.H.Services.GetRequiredService<IIntegrationStore>().SaveAsync(shadow, TestContext.Current.CancellationToken);
        const int batches = 8; // more than BatchProbesPerRun (5)
        for (var i = 0; i < batches; i++)
            k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new($"NT-76{i:00}", 100m + i, 1.00m)] });

        for (var run = 0; run < 3; run++)
        {
            await SweepAsync(k);
            await k.H.DrainPayoutsAsync(rounds: 20);
        }

        var records = await k.H.Services.GetRequiredService<IShadowLog>().ListAsync(k.Integration.Id, PayoutFlows.Payouts, TestContext.Current.CancellationToken);
        Assert.Equal(
            Enumerable.Range(1, batches).Select(b => $"adyen:{AdyenKit.Merchant}:{b}"),
            records.Select(r => r.EntityKey).Distinct().OrderBy(key => long.Parse(key[(key.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal($"{batches}", await MappingAsync(k, BatchPayoutSweep.CursorKind(PayoutProviders.Adyen) + BatchPayoutSweep.ShadowSuffix, AdyenKit.Merchant));
        Assert.Null(await MappingAsync(k, BatchPayoutSweep.CursorKind(PayoutProviders.Adyen), AdyenKit.Merchant)); // the live cursor is untouched
        Assert.Equal(2, k.Adyen.Downloads.Count(d => d.FileName == AdyenState.FileName(1) && d.Status == 200)); // one probe, one read: not re-probed every run
        Assert.Empty(k.H.Payments);
        Assert.Equal(0, await k.H.QueueLengthAsync(PayoutSyncFunction.Queue));
    }
}
