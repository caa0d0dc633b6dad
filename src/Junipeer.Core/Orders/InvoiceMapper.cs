using System.Globalization;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Junipeer.Core.Vat;

namespace Junipeer.Core.Orders;

/// <summary>
/// Turns a shop order into an ERP invoice draft whose total and VAT equal the order's to the cent.
/// Lines carry exact net amounts; where the ERP's document-level VAT (taxable × rate, rounded) would
/// differ from the VAT the shop charged line by line, a VAT override per tax books the shop's figure.
/// Pure: no I/O.
/// </summary>
public static class InvoiceMapper
{
    public static ErpInvoiceDraft Map(
        ShopOrder order,
        VatDecision vat,
        IReadOnlyList<ErpVatCategory> categories,
        OrderFlowSettings settings,
        string customerNumber)
    {
        OrderSanity.Check(order);
        var date = DateOnly.FromDateTime(order.OrderDate.Date);
        var lines = new List<(ErpInvoiceLine Line, decimal Rate, decimal Vat)>();

        foreach (var l in order.Lines.Where(l => l.Quantity != 0 || l.ValueGross != 0))
        {
            var category = CategoryFor(vat, l.TaxPercent, $"line {l.Sku}");
            var unit = l.Quantity == 0 ? l.OriginalValueNet : Math.Round(l.OriginalValueNet / l.Quantity, 4, MidpointRounding.AwayFromZero);
            lines.Add((new ErpInvoiceLine
            {
                ArticleNumber = l.Sku,
                Description = l.Description,
                Quantity = l.Quantity,
                UnitPrice = unit,
                DiscountAmount = l.OriginalValueNet - l.ValueNet,
                Amount = l.ValueNet,
                VatCategoryId = category,
            }, l.TaxPercent, l.ValueGross - l.ValueNet));
        }

        if (order.Shipping is { } s && (s.Gross != 0 || s.Net != 0))
        {
            var category = CategoryFor(vat, s.TaxPercent, "shipping");
            lines.Add((new ErpInvoiceLine
            {
                ArticleNumber = settings.ShippingArticle,
                Description = string.IsNullOrWhiteSpace(s.Method) ? "Shipping" : $"Shipping: {s.Method}",
                Quantity = 1,
                UnitPrice = s.Net,
                Amount = s.Net,
                VatCategoryId = category,
            }, s.TaxPercent, s.Gross - s.Net));
        }

        foreach (var d in order.OrderDiscounts.Where(d => d.Gross != 0 || d.Net != 0))
        {
            var category = CategoryFor(vat, d.TaxPercent, $"discount {d.Code ?? d.Name}");
            var label = d.Code is null ? d.Name : $"Voucher {d.Code} ({d.Name})";
            lines.Add((new ErpInvoiceLine
            {
                ArticleNumber = settings.DiscountArticle,
                Description = $"{label} {Rate(d.TaxPercent)}%",
                Quantity = 1,
                UnitPrice = -d.Net,
                Amount = -d.Net,
                VatCategoryId = category,
            }, d.TaxPercent, -(d.Gross - d.Net)));
        }

        CheckVatCase(order, vat, lines.Select(l => l.Rate));
        AbsorbShopRounding(order, lines);

        var netTotal = lines.Sum(l => l.Line.Amount);
        if (netTotal + order.VatTotal != order.GrandTotal)
        {
            throw new JunipeerException(ErrorCodes.OrderTotalsInconsistent,
                $"Order {order.OrderNumber}: lines + shipping − discounts = {netTotal:0.00} net + {order.VatTotal:0.00} VAT, " +
                $"but the order's total is {order.GrandTotal:0.00} {order.Currency}.");
        }

        var overrides = BuildTaxOverrides(order, vat, categories, lines.Select(l => (l.Line.VatCategoryId, l.Rate, l.Line.Amount, l.Vat)).ToList(), date);
        var gift = order.GiftCertificateTotal;
        var note = gift == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"Of the total, {gift:0.00} {order.Currency} was paid with gift certificate(s): payment, not a discount.");

        return new ErpInvoiceDraft
        {
            CustomerNumber = customerNumber,
            DocumentDate = date,
            CurrencyId = order.Currency,
            Reference = settings.ReferencePrefix + order.OrderNumber,
            InvoiceText = $"Webshop order {order.OrderNumber}",
            VatZoneId = vat.Mapping.TaxZoneId,
            Note = vat.Case == VatCase.EuB2BReverseCharge
                ? Join(note, $"Reverse charge: intra-Community supply, Art. 138 Directive 2006/112/EC. Buyer VAT number {vat.BuyerVatNumber}.")
                : vat.Case == VatCase.Export ? Join(note, "Export outside the EU VAT area: zero-rated.") : note,
            Lines = lines.Select(l => l.Line).ToList(),
            TaxOverrides = overrides,
            ExpectedNetTotal = netTotal,
            ExpectedVatTotal = order.VatTotal,
        };
    }

    /// <summary>
    /// When the shop's order VAT differs from the sum of its line VAT by rounding (at most a cent per
    /// line), put the difference on the largest taxed line: its VAT moves, and for VAT-inclusive
    /// prices its net moves the other way so the gross the buyer paid stays the same.
    /// </summary>
    private static void AbsorbShopRounding(ShopOrder order, List<(ErpInvoiceLine Line, decimal Rate, decimal Vat)> lines)
    {
        var residual = order.VatTotal - lines.Sum(l => l.Vat);
        if (residual == 0)
        {
            return;
        }

        var target = lines.Select((l, i) => (l, i)).Where(x => x.l.Rate != 0).OrderByDescending(x => Math.Abs(x.l.Line.Amount)).FirstOrDefault();
        if (Math.Abs(residual) > 0.01m * Math.Max(1, lines.Count) || target.l.Line is null)
        {
            throw new JunipeerException(ErrorCodes.OrderTotalsInconsistent,
                $"Order {order.OrderNumber}: its VAT total {order.VatTotal:0.00} differs from the VAT of its lines {lines.Sum(l => l.Vat):0.00} by more than rounding.");
        }

        var (line, rate, vat) = target.l;
        lines[target.i] = (order.PricesIncludeVat ? line with { Amount = line.Amount - residual, UnitPrice = line.UnitPrice } : line, rate, vat + residual);
    }

    private static string Join(string? a, string b) => a is null ? b : a + " " + b;

    private static string Rate(decimal rate) => rate.ToString("0.##", CultureInfo.InvariantCulture);

    private static string CategoryFor(VatDecision vat, decimal rate, string what) =>
        vat.Mapping.VatCategoryByRate.TryGetValue(Rate(rate), out var category)
            ? category
            : throw new JunipeerException(
                vat.Case is VatCase.EuB2BReverseCharge or VatCase.Export ? ErrorCodes.OrderVatTreatmentMismatch : ErrorCodes.VatCategoryForRateMissing,
                vat.Case is VatCase.EuB2BReverseCharge or VatCase.Export
                    ? $"The shop charged {Rate(rate)}% VAT on {what}, but the sale is {vat.Case} ({vat.Reason}) and zero-rated."
                    : $"No VAT category is mapped for {Rate(rate)}% ({what}) under {vat.MappingKey} ({vat.Case}). Add \"{Rate(rate)}\" to its VatCategoryByRate.");

    private static void CheckVatCase(ShopOrder order, VatDecision vat, IEnumerable<decimal> rates)
    {
        if (vat.Case is VatCase.EuB2BReverseCharge or VatCase.Export && rates.Any(r => r != 0))
        {
            throw new JunipeerException(ErrorCodes.OrderVatTreatmentMismatch,
                $"Order {order.OrderNumber} carries VAT, but the sale is {vat.Case} ({vat.Reason}) and must be zero-rated.");
        }
    }

    /// <summary>
    /// Per category: the ERP computes VAT = round(taxable × rate, 2). When that differs from the VAT
    /// the shop charged (line-by-line rounding), book the shop's amount with an override. The
    /// category's rate in the ERP, effective at the document date, must equal the shop's rate.
    /// </summary>
    private static List<ErpTaxOverride> BuildTaxOverrides(
        ShopOrder order,
        VatDecision vat,
        IReadOnlyList<ErpVatCategory> categories,
        List<(string Category, decimal Rate, decimal Net, decimal Vat)> lines,
        DateOnly date)
    {
        var overrides = new List<ErpTaxOverride>();
        var groups = lines.GroupBy(l => (l.Category, l.Rate)).OrderByDescending(g => g.Sum(l => l.Net)).ToList();
        foreach (var g in groups)
        {
            var category = categories.FirstOrDefault(c => c.Id == g.Key.Category)
                ?? throw new JunipeerException(ErrorCodes.VatCategoryRateMismatch,
                    $"VAT category {g.Key.Category} (mapped for {Rate(g.Key.Rate)}% under {vat.MappingKey}) does not exist in the ERP.");
            if (g.Key.Rate == 0)
            {
                continue; // zero-rated: the VAT zone (reverse charge / export) carries no tax for it
            }

            // A category may carry several taxes (Visma applies those also in the document's VAT
            // zone, which the API does not expose): the one with the shop's rate is the one booked.
            var taxes = category.Taxes.Where(t => t.RateOn(date) == g.Key.Rate).ToList();
            if (taxes.Count == 0)
            {
                var found = string.Join(", ", category.Taxes.Select(t => $"{t.TaxId} {Rate(t.RateOn(date) ?? 0)}%"));
                throw new JunipeerException(ErrorCodes.VatCategoryRateMismatch,
                    $"VAT category {g.Key.Category} has no tax at {Rate(g.Key.Rate)}% on {date:yyyy-MM-dd} in the ERP ({(found.Length == 0 ? "no taxes" : found)}), but the shop charged {Rate(g.Key.Rate)}% (mapping {vat.MappingKey}).");
            }

            if (taxes.Count != 1)
            {
                continue; // ambiguous tax id: leave the ERP's own computation
            }

            var erpRate = g.Key.Rate;
            var taxable = g.Sum(l => l.Net);
            var shopVat = g.Sum(l => l.Vat);

            var erpVat = Math.Round(taxable * erpRate / 100m, 2, MidpointRounding.AwayFromZero);
            if (erpVat != shopVat)
            {
                overrides.Add(new ErpTaxOverride(taxes[0].TaxId, taxable, shopVat));
            }
        }

        return overrides;
    }
}
