using Junipeer.Core.Erp;

namespace Junipeer.Core.Refunds;

/// <summary>The credit note that reverses part of an invoice with the invoice's own VAT treatment (both refund paths use it).</summary>
public static class CreditNotes
{
    /// <summary>
    /// The credit note for <paramref name="amount"/> (gross) of <paramref name="invoice"/>: per VAT
    /// category the invoice's net scaled by amount/total, per tax its VAT scaled likewise (booked as a
    /// VAT override), the cent left by rounding put on the largest line, so the total is exact and
    /// the VAT zone and categories are the invoice's own. Dated <paramref name="date"/>, never before the invoice.
    /// <para>
    /// Why in proportion rather than by the refunded lines: none of the sources names them. Adyen's settlement report
    /// (a Refunded row), Klarna's RETURN transaction and Stripe's refund balance transaction carry an amount and the
    /// payment's reference only; Centra's REFUND payment history entry (the shop path) carries an amount, and the
    /// contract we hold (contracts/centra) links no returned lines to it. A refund of only the 12 % book on a 25 % + 12 %
    /// invoice is therefore credited at the invoice's mix of rates; the total is exact, the VAT split an approximation
    /// the finance team may correct by hand. Should a source come to name the lines, credit those lines instead.
    /// </para>
    /// </summary>
    public static ErpCreditNoteDraft Draft(ErpInvoiceDocument invoice, decimal amount, string reference, DateOnly date, string text, bool apply)
    {
        var ratio = invoice.Header.Amount == 0m ? 0m : amount / invoice.Header.Amount;
        var lines = invoice.Lines.GroupBy(l => l.VatCategoryId, StringComparer.Ordinal)
            .Select(g => new ErpInvoiceLine
            {
                ArticleNumber = g.First().ArticleNumber ?? "",
                Description = Trim30($"Refund {invoice.Header.Number}"),
                Quantity = 1m,
                UnitPrice = Math.Round(g.Sum(l => l.Amount) * ratio, 2, MidpointRounding.AwayFromZero),
                Amount = Math.Round(g.Sum(l => l.Amount) * ratio, 2, MidpointRounding.AwayFromZero),
                VatCategoryId = g.Key,
            })
            .Where(l => l.Amount != 0m)
            .ToList();
        var taxes = invoice.TaxDetails
            .Select(t => t with
            {
                TaxableAmount = Math.Round(t.TaxableAmount * ratio, 2, MidpointRounding.AwayFromZero),
                VatAmount = Math.Round(t.VatAmount * ratio, 2, MidpointRounding.AwayFromZero),
            })
            .ToList();
        var diff = amount - lines.Sum(l => l.Amount) - taxes.Sum(t => t.VatAmount);
        if (diff != 0m && lines.Count > 0)
        {
            var largest = lines.OrderByDescending(l => l.Amount).First();
            var i = lines.IndexOf(largest);
            lines[i] = largest with { Amount = largest.Amount + diff, UnitPrice = largest.UnitPrice + diff };
        }

        return new ErpCreditNoteDraft
        {
            CustomerNumber = invoice.Header.CustomerNumber,
            DocumentDate = date < invoice.Header.DocumentDate ? invoice.Header.DocumentDate : date,
            CurrencyId = invoice.Header.Currency,
            Reference = reference,
            VatZoneId = invoice.VatZoneId,
            Text = text,
            Lines = lines,
            TaxOverrides = taxes,
            ApplyToInvoice = apply ? invoice.Header.Number : null,
            ApplyAmount = apply ? amount : 0m,
        };
    }

    private static string Trim30(string s) => s.Length <= 30 ? s : s[..30];
}
