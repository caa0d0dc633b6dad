using System.Text.Json;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Cli.Demo;

/// <summary>
/// <c>junipeer demo --chaos</c>: the demo with every fault turned up — 500 orders (with their shipments
/// and the stock movements), 5 % Visma and Centra 5xx, 2 % committed-but-response-lost writes in both,
/// a 429 burst every few seconds, 30 % of webhooks and Visma signals dropped and 10 % sent twice, the
/// host SIGKILLed and restarted twice, storage wiped once. Counted afterwards in the emulators, like the
/// demo; <c>faults.injected</c> says how often each fault actually fired.
/// </summary>
public static class DemoChaos
{
    public static DemoOptions Apply(DemoOptions options) => options with
    {
        OrderCount = 500,
        WebhookDropRate = 0.30,
        WebhookDuplicateRate = 0.10,
        ShipmentSignalDropRate = 0.30,
        ShipmentSignalDuplicateRate = 0.10,
        Visma5xxRate = 0.05,
        VismaCommitThenDropRate = 0.02,
        Centra5xxRate = 0.05,
        CentraCommitThenDropRate = 0.02,
        Visma429Burst = 6,
        Visma429BurstEverySeconds = 10,
        HostKills = 2,
        StorageWipes = 1,
        DropAdyenNotification = true,
        Timeout = options.Timeout < TimeSpan.FromMinutes(15) ? TimeSpan.FromMinutes(15) : options.Timeout,
    };

    /// <summary>The demo's orders cycled to <paramref name="count"/>, each copy with its own number (the buyers repeat: known customers).</summary>
    public static List<CentraOrderSpec> Scale(List<CentraOrderSpec> template, int count)
    {
        if (count <= template.Count)
            return template.Take(Math.Max(1, count)).ToList();
        var next = template.Max(s => s.Number!.Value) + 1;
        var list = new List<CentraOrderSpec>(template);
        for (var i = template.Count; i < count; i++)
        {
            var copy = JsonSerializer.Deserialize<CentraOrderSpec>(JsonSerializer.Serialize(template[i % template.Count]))!;
            copy.Number = next++;
            copy.Id = null;
            list.Add(copy);
        }

        return list;
    }

    /// <summary>
    /// Every loss or duplicate the report shows, counted in the emulators (empty: the run kept every promise).
    /// The demo and the chaos run exit non-zero when this is not empty.
    /// </summary>
    public static IReadOnlyList<string> Problems(DemoReport r)
    {
        var problems = new List<string>();
        void Check(bool bad, string what)
        {
            if (bad)
                problems.Add(what);
        }

        Check(r.Orders.Duplicates != 0, $"{r.Orders.Duplicates} duplicate invoices");
        Check(r.Orders.Missing != 0, $"{r.Orders.Missing} invoiceable orders without an invoice");
        Check(r.Orders.AmountMismatches != 0, $"{r.Orders.AmountMismatches} invoices whose total or VAT differs from Centra");
        Check(r.Orders.UnexpectedFailures != 0, $"{r.Orders.UnexpectedFailures} orders failed that should have been invoiced");
        Check(r.Unfinished.Count != 0, $"{r.Unfinished.Count} orders unfinished: {string.Join("; ", r.Unfinished.Take(5))}");
        Check(r.Payments.Duplicates != 0, $"{r.Payments.Duplicates} duplicate gift-certificate payments");
        Check(r.Payments.GiftAmountMismatches != 0, $"{r.Payments.GiftAmountMismatches} invoice balances not total − gift certificate");
        Check(r.Contract.Violations != 0, $"{r.Contract.Violations} Sandbox contract violations: {string.Join("; ", r.Contract.Samples)}");
        Check(r.Stock.Divergent != 0, $"{r.Stock.Divergent} SKUs whose Centra stock differs from Visma.net");
        Check(r.Shipments.DoubleBooked != 0, $"{r.Shipments.DoubleBooked} shipments booked twice with nShift: {string.Join("; ", r.Shipments.DoubleBookedSamples)}");
        Check(r.Shipments.Missed != 0, $"{r.Shipments.Missed} confirmed shipments not in Centra");
        Check(r.Shipments.ShopDuplicates != 0, $"{r.Shipments.ShopDuplicates} shipments in Centra twice");
        Check(r.Payouts.Booked < 3, $"{r.Payouts.Booked} of 3 payouts booked (Stripe, Adyen, Klarna)");
        Check(r.Payouts.ShopRefundCreditNotes != 1, $"{r.Payouts.ShopRefundCreditNotes} credit notes for the refund made in Centra (expected 1)");
        Check(r.Payouts.Duplicates != 0, $"{r.Payouts.Duplicates} duplicate payout payments");
        Check(r.Payouts.CreditNoteDuplicates != 0, $"{r.Payouts.CreditNoteDuplicates} duplicate refund credit notes");
        Check(r.Payouts.BalanceMismatches != 0, $"{r.Payouts.BalanceMismatches} invoice balances differ from what the PSP data says is owed");
        // Not NewInvoicesAfterWipe: when the wipe comes before every order finished, new invoices after it are
        // the unfinished orders' first ones; a second invoice of any order shows in Orders.Duplicates.
        return problems;
    }

    /// <summary>
    /// A 429 burst every <see cref="DemoOptions.Visma429BurstEverySeconds"/> until <paramref name="ct"/> ends (none when 0).
    /// Returns how many bursts were started, the first one (set with the fault settings) included.
    /// </summary>
    public static async Task<int> BurstsAsync(SandboxHost sandbox, DemoOptions options, CancellationToken ct)
    {
        var bursts = options.Visma429Burst > 0 ? 1 : 0;
        if (options.Visma429BurstEverySeconds <= 0 || options.Visma429Burst <= 0)
            return bursts;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Visma429BurstEverySeconds), ct);
                sandbox.State.Faults.Visma429Burst = options.Visma429Burst;
                bursts++;
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }

        return bursts;
    }

    /// <summary>
    /// Counts per injected fault kind: what the emulators fired (visma5xx, centra5xx, vismaCommitThenDrop,
    /// centraCommitThenDrop, visma429 responses ...), the webhooks and signals dropped and duplicated, kills
    /// and wipes, and the totals by kind: <c>5xx</c>, <c>lostResponses</c>, <c>429Bursts</c>, <c>dropped</c>, <c>duplicated</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, long> Injected(SandboxHost sandbox, WebhookResult webhooks, VismaWebhookResult signals, int hostKills, int storageWipes, int bursts429)
    {
        var fired = sandbox.State.Faults.Injected;
        long Sum(params string[] keys) => keys.Sum(k => fired.GetValueOrDefault(k));
        var counts = new SortedDictionary<string, long>(fired.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal)
        {
            ["webhooksDropped"] = webhooks.Dropped.Count,
            ["webhooksDuplicated"] = webhooks.Duplicated.Count,
            ["signalsDropped"] = signals.Dropped.Count,
            ["signalsDuplicated"] = signals.Duplicated.Count,
            ["hostKills"] = hostKills,
            ["storageWipes"] = storageWipes,
            ["5xx"] = Sum("visma5xx", "centra5xx"),
            ["lostResponses"] = Sum("vismaCommitThenDrop", "centraCommitThenDrop", "vismaCommitLate"),
            ["429Bursts"] = bursts429,
            ["dropped"] = webhooks.Dropped.Count + signals.Dropped.Count,
            ["duplicated"] = webhooks.Duplicated.Count + signals.Duplicated.Count,
        };
        return counts;
    }
}
