using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Sandbox.Adyen;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts.Adyen;

/// <summary>
/// The cut-over for Adyen batches, whose report prints a local time with no UTC offset (review finding: the
/// creation was taken as the earliest instant it could mean, local time at +14:00, so a batch created just after
/// the cut-over was silently Skipped). Now a batch is skipped only when even the latest instant it can mean
/// (local time at −12:00) is before the cut-over; a window that straddles the cut-over is booked.
/// Engine on Azurite, the Adyen and Visma emulators over HTTP, the emulator on a virtual clock.
/// </summary>
public class AdyenCutOverTests(AzuriteFixture azurite)
{
    private static Task<PayoutResult> HandleAsync(AdyenKit k, AdyenBatch batch) =>
        k.H.Services.GetRequiredService<PayoutSyncHandler>().HandleAsync(
            WorkItem.ForPayout(k.Integration.Id, PayoutProviders.Adyen, $"{AdyenKit.Merchant}:{batch.BatchNumber}", WorkReasons.Replay, "c-" + batch.BatchNumber, DateTimeOffset.UtcNow),
            "test", TestContext.Current.CancellationToken);

    private static async Task<AdyenKit> LiveFromAsync(AdyenKit k, DateTimeOffset cutOver)
    {
        var live = k.Integration with { Mode = IntegrationMode.Live, CutOverDate = cutOver };
        await k.H.Services.GetRequiredService<IIntegrationStore>().SaveAsync(live, TestContext.Current.CancellationToken);
        return k with { Integration = live };
    }

    [Fact]
    public async Task A_batch_whose_zoneless_time_may_be_after_the_cut_over_is_booked()
    {
        var clock = new VirtualTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        var k = await AdyenKit.StartAsync(azurite, sandboxTime: clock);
        await using var _ = k.H;
        var inv = await k.H.InvoicesAsync((7401, "anna@example.se"));

        // The batch closes at 09:00 local (the emulator's account runs on UTC): an hour after a cut-over at 08:00Z.
        // Read at +14:00 (the old label) it was 19:00Z the day before, i.e. "before the cut-over".
        k = await LiveFromAsync(k, clock.GetUtcNow().AddHours(-1));
        var batch = k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new("NT-7401", inv[7401].Amount, 4.20m)] });
        var result = await HandleAsync(k, batch);

        Assert.Equal(SyncOutcome.Done, result.Outcome);
        var payment = Assert.Single(k.H.Payments);
        Assert.Equal(inv[7401].Amount - 4.20m, payment.PaymentAmount);
        Assert.Equal(1, k.PaymentPosts);
        Assert.Equal(0, k.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task A_batch_whose_latest_possible_time_is_before_the_cut_over_is_skipped_and_says_why()
    {
        var clock = new VirtualTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        var k = await AdyenKit.StartAsync(azurite, sandboxTime: clock);
        await using var _ = k.H;
        var inv = await k.H.InvoicesAsync((7402, "bo@example.se"));

        // 09:00 local can be at most 21:00Z (read at −12:00); a cut-over at 21:30Z is after every reading.
        k = await LiveFromAsync(k, new DateTimeOffset(2026, 6, 1, 21, 30, 0, TimeSpan.Zero));
        var batch = k.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = AdyenKit.Merchant, Sales = [new("NT-7402", inv[7402].Amount, 1.00m)] });
        var result = await HandleAsync(k, batch);

        Assert.Equal(SyncOutcome.Skipped, result.Outcome);
        Assert.Empty(k.H.Payments);
        var row = await k.H.Services.GetRequiredService<ISyncLedger>().GetAsync(
            new LedgerKey(k.Integration.Id, PayoutFlows.Payouts, Payout.PayoutKey(PayoutProviders.Adyen, $"{AdyenKit.Merchant}:{batch.BatchNumber}")), TestContext.Current.CancellationToken);
        Assert.Equal(LedgerStatus.Skipped, row!.Status);
        Assert.Contains("the PSP gives no time zone", row.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("2026-06-01T21:00:", row.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_zoneless_window_runs_from_plus_14_to_minus_12_and_a_date_covers_its_whole_day()
    {
        var local = new DateTime(2026, 6, 1, 9, 0, 0, DateTimeKind.Unspecified);
        var (earliest, latest) = Payout.ZonelessBounds(local, CreationTimePrecision.LocalTimeNoZone);
        Assert.Equal(new DateTimeOffset(2026, 5, 31, 19, 0, 0, TimeSpan.Zero), earliest.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 21, 0, 0, TimeSpan.Zero), latest.ToUniversalTime());
        var (dayStart, dayEnd) = Payout.ZonelessBounds(local, CreationTimePrecision.DateNoZone);
        Assert.Equal(new DateTimeOffset(2026, 5, 31, 10, 0, 0, TimeSpan.Zero), dayStart.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 12, 0, 0, TimeSpan.Zero), dayEnd.ToUniversalTime().AddTicks(1));

        var payout = new Payout { Provider = "adyen", PayoutId = "M:1", Currency = "SEK", Total = 0m, Date = new DateOnly(2026, 6, 1), CreatedAt = default, Lines = [] }
            .WithZonelessCreation(new DateTime(2026, 6, 1), CreationTimePrecision.DateNoZone);
        var example = System.Text.Json.JsonSerializer.Deserialize<Integration>(
            File.ReadAllText(Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "docs/examples/integration.json")), Junipeer.Core.JunipeerJson.Options)!;
        var integration = example with { Mode = IntegrationMode.Live, CutOverDate = new DateTimeOffset(2026, 6, 2, 11, 0, 0, TimeSpan.Zero) };
        Assert.Null(PayoutSyncHandler.CutOverSkip(integration, payout)); // the date straddles 11:00Z next day: booked
        Assert.NotNull(PayoutSyncHandler.CutOverSkip(integration with { CutOverDate = new DateTimeOffset(2026, 6, 2, 12, 0, 0, TimeSpan.Zero) }, payout));
    }
}
