using Junipeer.Sandbox;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Payouts;

/// <summary>The invoices every payout test pays: orders through the real order flow, released in the Visma emulator.</summary>
public static class PayoutInvoices
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
}
