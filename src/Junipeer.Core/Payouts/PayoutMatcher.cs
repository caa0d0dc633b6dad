using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;

namespace Junipeer.Core.Payouts;

/// <summary>A payout line and the invoice it settles (null when none was found).</summary>
public sealed record MatchedLine(PayoutLine Line, string? InvoiceReference, string? InvoiceNumber, string? CustomerNumber)
{
    public bool Matched => InvoiceNumber is not null && CustomerNumber is not null;
}

/// <summary>
/// Finds the invoice of each payout line through the reference the order flow wrote: the PSP's
/// reference, minus the PSP's own prefix (<see cref="PspPayoutSettings.ReferencePrefix"/>), is the
/// shop order number; the invoice reference is Orders.ReferencePrefix + order number, searched in the
/// configured invoice field. The orders flow's ledger row (invoice and customer of the order) answers
/// without an ERP call; only when it has none (storage lost, invoice booked by another tool) is the
/// ERP asked, one lookup per such reference.
/// </summary>
public sealed class PayoutMatcher(ISyncLedger ledger)
{
    /// <summary>The order number a PSP reference stands for, or null when it does not carry the PSP's prefix.</summary>
    public static string? OrderNumberOf(string? pspReference, string? pspPrefix)
    {
        if (string.IsNullOrWhiteSpace(pspReference))
            return null;
        var reference = pspReference.Trim();
        if (!string.IsNullOrEmpty(pspPrefix))
        {
            if (!reference.StartsWith(pspPrefix, StringComparison.Ordinal))
                return null;
            reference = reference[pspPrefix.Length..];
        }

        return reference.Length == 0 ? null : reference;
    }

    public async Task<IReadOnlyList<MatchedLine>> MatchAsync(
        Integration integration, IErpSettlements erp, PspPayoutSettings psp, IEnumerable<PayoutLine> lines, CancellationToken ct)
    {
        var result = new List<MatchedLine>();
        var byReference = new Dictionary<string, (string? Invoice, string? Customer)>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var orderNumber = OrderNumberOf(line.Reference, psp.ReferencePrefix);
            if (orderNumber is null)
            {
                result.Add(new MatchedLine(line, null, null, null));
                continue;
            }

            var reference = integration.Orders.ReferencePrefix + orderNumber;
            if (!byReference.TryGetValue(reference, out var found))
            {
                found = await FindAsync(integration, erp, orderNumber, reference, ct);
                byReference[reference] = found;
            }

            result.Add(new MatchedLine(line, reference, found.Invoice, found.Customer));
        }

        return result;
    }

    /// <summary>The invoice and customer of a shop order (orders ledger first, then the ERP by reference); nulls when none is found.</summary>
    public Task<(string? Invoice, string? Customer)> FindInvoiceAsync(Integration integration, IErpSettlements erp, string orderNumber, CancellationToken ct) =>
        FindAsync(integration, erp, orderNumber, integration.Orders.ReferencePrefix + orderNumber, ct);

    private async Task<(string? Invoice, string? Customer)> FindAsync(Integration integration, IErpSettlements erp, string orderNumber, string reference, CancellationToken ct)
    {
        // The order flow's own record: the invoice it made for the order, under the same reference.
        var row = await ledger.GetAsync(new LedgerKey(integration.Id, Flows.Orders, orderNumber), ct);
        if (row?.Document("invoice") is { } invoice && row.Document("customer") is { } customer
            && (!row.Facts.TryGetValue("reference", out var written) || string.Equals(written, reference, StringComparison.Ordinal)))
            return (invoice, customer);

        var invoices = await erp.FindInvoicesAsync(integration, integration.Payouts.ReferenceField, reference, ct);
        return invoices.Count == 1 ? (invoices[0].Number, invoices[0].CustomerNumber) : (null, null);
    }
}
