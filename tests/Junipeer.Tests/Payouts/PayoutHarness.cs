using Junipeer.Functions.Payouts;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Payouts;

/// <summary>What every payout test does on the engine: invoices to pay (the real order flow) and the payouts queue run until empty.</summary>
public static class PayoutHarness
{
    /// <summary>One Swedish order per (number, e-mail), swept and drained; the released invoice per order number.</summary>
    public static async Task<Dictionary<int, VismaInvoiceSnapshot>> InvoicesAsync(this EngineHarness h, params (int Number, string Email)[] orders)
    {
        ArgumentNullException.ThrowIfNull(h);
        foreach (var (number, email) in orders)
        {
            var spec = DemoData.SwedishOrder(number);
            spec.Customer!.Email = email;
            spec.BillingAddress!.Email = email;
            h.AddOrder(spec);
        }

        await h.SweepAsync();
        await h.DrainAsync();
        return orders.ToDictionary(o => o.Number, o => h.Invoices.Single(i => i.CustomerRefNumber == "CENTRA-" + o.Number));
    }

    /// <summary>Runs the payouts queue (Azurite) through the queue function until it is empty, at most <paramref name="rounds"/> receives; returns the messages run.</summary>
    public static async Task<int> DrainPayoutsAsync(this EngineHarness h, int rounds = 50)
    {
        ArgumentNullException.ThrowIfNull(h);
        var ct = TestContext.Current.CancellationToken;
        var queue = h.Queue(PayoutSyncFunction.Queue);
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        var n = 0;
        for (var round = 0; round < rounds; round++)
        {
            var batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5), ct)).Value;
            if (batch.Length == 0)
                break;
            foreach (var m in batch)
            {
                n++;
                await h.Function<PayoutSyncFunction>().Run(m.MessageText, ct);
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
            }
        }

        return n;
    }
}
