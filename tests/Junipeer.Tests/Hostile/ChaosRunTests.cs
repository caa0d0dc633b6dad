using Junipeer.Cli.Demo;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Hostile;

/// <summary>
/// The chaos run, bounded for CI: <c>junipeer demo --chaos</c>'s faults (5 % 5xx and 2 % lost responses in
/// Visma and Centra, 429 bursts, 30 % dropped and 10 % duplicated webhooks and signals, the host child
/// SIGKILLed and restarted twice, storage wiped once) on fewer orders. Counted in the emulators: every
/// invoiceable order invoiced exactly once, shipments booked once and in Centra, stock converged.
/// </summary>
public sealed class ChaosRunTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_bounded_chaos_run_loses_nothing_and_duplicates_nothing()
    {
        var options = DemoChaos.Apply(new DemoOptions { StorageConnectionString = azurite.ConnectionString }) with
        {
            OrderCount = 96,
            Visma429BurstEverySeconds = 5,
            Timeout = TimeSpan.FromMinutes(5),
        };
        var report = await DemoRunner.RunAsync(options, _ => { }, (_, _) => { }, TestContext.Current.CancellationToken);

        Assert.Equal(96, report.Orders.Sent);
        Assert.Equal((0, 0, 0, 0), (report.Orders.Duplicates, report.Orders.Missing, report.Orders.UnexpectedFailures, report.Orders.AmountMismatches));
        Assert.Equal((0, 0), (report.Payments.Duplicates, report.Payments.GiftAmountMismatches));
        Assert.Equal((0, 0), (report.Shipments.DoubleBooked, report.Shipments.Missed));
        Assert.Equal(report.Shipments.Confirmed, report.Shipments.ReachedCentra);
        Assert.Equal(0, report.Stock.Divergent);
        Assert.Equal(0, report.Contract.Violations);
        Assert.Equal(0, report.Faults.StorageWipes.NewInvoicesAfterWipe);
        Assert.Equal((2, 1), (report.Faults.HostKills.Count, report.Faults.StorageWipes.Count));
        foreach (var kind in new[] { "webhooksDropped", "webhooksDuplicated", "signalsDropped", "visma429" })
            Assert.True(report.Faults.Injected.GetValueOrDefault(kind) > 0, $"no {kind} was injected: {string.Join(", ", report.Faults.Injected)}");
        Assert.True(report.Faults.Injected.GetValueOrDefault("visma5xx") + report.Faults.Injected.GetValueOrDefault("vismaCommitThenDrop") > 0);
    }
}
