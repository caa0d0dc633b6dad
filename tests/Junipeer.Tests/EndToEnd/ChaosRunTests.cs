using Junipeer.Cli.Demo;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.EndToEnd;

/// <summary>
/// The chaos run, bounded for the normal suite: <c>junipeer demo --chaos</c>'s faults (5 % 5xx and 2 %
/// committed-but-response-lost in Visma and Centra, 429 bursts, 30 % dropped and 10 % duplicated webhooks
/// and Visma signals, seeded) on 120 orders with their shipments, stock movements, customer edits and the
/// two payouts; the `junipeer run` child SIGKILLed once mid-run and restarted, all storage wiped once.
/// Counted in the emulators afterwards, with the same check the command's exit code uses
/// (<see cref="DemoChaos.Problems"/>). No timing is asserted: the run waits for the outcome, bounded.
/// The full run (500 orders, two kills) and the soak are the CLI: see README "Chaos run".
/// </summary>
public sealed class ChaosRunTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_bounded_chaos_run_loses_nothing_and_duplicates_nothing_counted_in_the_emulators()
    {
        var options = DemoChaos.Apply(new DemoOptions { StorageConnectionString = azurite.ConnectionString }) with
        {
            OrderCount = 120,
            HostKills = 1,
            StorageWipes = 1,
            // The 429 bursts keep the command's interval (DemoChaos: 6 × 429 with Retry-After 1 s every 10 s). A burst
            // every 5 s closed Visma for good: the client honours each Retry-After, so six sequential 1 s waits
            // outlast a 5 s interval and every call it then sends meets the next 429 (1,274 of them in 25 min, no order done).
            Timeout = TimeSpan.FromMinutes(15), // a bound on the wait, not an assertion: a loaded machine is slow
        };
        var log = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = await DemoRunner.RunAsync(options, m => { m = $"[{clock.Elapsed.TotalSeconds:F1} s] {m}"; lock (log) log.Add(m); TestContext.Current.TestOutputHelper?.WriteLine(m); }, (_, _) => { }, TestContext.Current.CancellationToken);
        string Context() => $"{string.Join(Environment.NewLine, log)}{Environment.NewLine}faults: {string.Join(", ", report.Faults.Injected)}";

        Assert.True(DemoChaos.Problems(report).Count == 0, $"{string.Join(Environment.NewLine, DemoChaos.Problems(report))}{Environment.NewLine}{Context()}");

        // Orders: every invoiceable order has exactly one invoice; the rest failed with their documented code.
        Assert.Equal(120, report.Orders.Sent);
        Assert.Equal((0, 0, 0, 0), (report.Orders.Duplicates, report.Orders.Missing, report.Orders.UnexpectedFailures, report.Orders.AmountMismatches));
        Assert.Equal(120, report.Orders.Invoiced + report.Orders.Failed);
        Assert.Empty(report.Unfinished);
        Assert.Equal((0, 0), (report.Payments.Duplicates, report.Payments.GiftAmountMismatches));

        // Shipments: every confirmed shipment booked once with nShift and in Centra once.
        Assert.Equal(120, report.Shipments.Confirmed);
        Assert.Equal(report.Shipments.Confirmed, report.Shipments.Booked);
        Assert.Equal((0, 0, 0), (report.Shipments.DoubleBooked, report.Shipments.ShopDuplicates, report.Shipments.Missed));

        // Stock converged; payouts booked once; nothing off-contract.
        Assert.Equal(0, report.Stock.Divergent);
        Assert.True(report.Payouts.Booked >= 2, $"payouts booked: {report.Payouts}");
        Assert.Equal((0, 0, 0), (report.Payouts.Duplicates, report.Payouts.CreditNoteDuplicates, report.Payouts.BalanceMismatches));
        Assert.Equal(0, report.Contract.Violations);

        // Every fault kind fired (seeded rates; counted where injected).
        var f = report.Faults.Injected;
        Assert.Equal(1, f["hostKills"]);
        Assert.Equal(1, f["storageWipes"]);
        Assert.Equal((1, 1), (report.Faults.HostKills.Count, report.Faults.StorageWipes.Count));
        foreach (var kind in new[] { "5xx", "lostResponses", "429Bursts", "visma429", "dropped", "duplicated", "webhooksDropped", "webhooksDuplicated", "signalsDropped", "signalsDuplicated" })
            Assert.True(f.GetValueOrDefault(kind) > 0, $"no {kind} was injected: {Context()}");
        Assert.Equal(f["visma5xx"] + f.GetValueOrDefault("centra5xx"), f["5xx"]);
    }
}
