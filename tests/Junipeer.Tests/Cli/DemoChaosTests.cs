using Junipeer.Cli.Demo;

namespace Junipeer.Tests.Cli;

/// <summary>The demo's exit verdict (<see cref="DemoChaos.Problems"/>): every loss or duplicate counted in the emulators fails the run.</summary>
public class DemoChaosTests
{
    private static DemoReport Clean() => new(
        new DemoOrderCounts(10, 9, 1, 0, 0, 8.0, 0, 0),
        new DemoPaymentCounts(1, 1, 1, 0, 0),
        new Dictionary<string, int>(),
        new Dictionary<string, int>(),
        new DemoWebhookCounts(10, 7, 3, 1, 0),
        new Dictionary<string, long>(),
        3,
        9,
        1.0,
        new DemoFaults(new DemoHostKills(1, 1, [5], [5]), new DemoStorageWipes(1, 8, 5, 9, 9, 0)),
        new DemoContract(0, []),
        [])
    {
        Shipments = new DemoShipmentCounts(10, 3, 10, 0, 10, 0),
        Payouts = new DemoPayoutCounts(3, 0, 6, 1, 6, 2, 0, 0, ShopRefundCreditNotes: 1),
    };

    [Fact]
    public void A_clean_report_has_no_problems()
    {
        Assert.Empty(DemoChaos.Problems(Clean()));
    }

    [Fact]
    public void Double_bookings_shop_duplicates_unfinished_orders_and_missing_payouts_each_fail_the_run()
    {
        var r = Clean();
        Assert.Contains(DemoChaos.Problems(r with { Shipments = r.Shipments with { DoubleBooked = 1 } }), p => p.Contains("booked twice", StringComparison.Ordinal));
        Assert.Contains(DemoChaos.Problems(r with { Shipments = r.Shipments with { ShopDuplicates = 2 } }), p => p.Contains("in Centra twice", StringComparison.Ordinal));
        Assert.Contains(DemoChaos.Problems(r with { Unfinished = ["12: InProgress InvoiceAttempted attempts 3"] }), p => p.Contains("unfinished", StringComparison.Ordinal));
        Assert.Contains(DemoChaos.Problems(r with { Payouts = r.Payouts with { Booked = 2 } }), p => p.Contains("payouts booked", StringComparison.Ordinal));
        Assert.Contains(DemoChaos.Problems(r with { Payouts = r.Payouts with { ShopRefundCreditNotes = 0 } }), p => p.Contains("refund made in Centra", StringComparison.Ordinal));
        Assert.Contains(DemoChaos.Problems(r with { Orders = r.Orders with { Duplicates = 1 } }), p => p.Contains("duplicate invoices", StringComparison.Ordinal));
        Assert.Contains(DemoChaos.Problems(r with { Stock = r.Stock with { Divergent = 1 } }), p => p.Contains("SKUs", StringComparison.Ordinal));
    }
}
