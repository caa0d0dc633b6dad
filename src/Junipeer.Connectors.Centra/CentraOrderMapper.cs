using System.Globalization;
using Junipeer.Connectors.Centra.Dtos;
using Junipeer.Core.Errors;
using Junipeer.Core.Shop;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Maps a Centra order to <see cref="ShopOrder"/>. Money rules (docs/sandbox-contract.md): unitPrice,
/// unitOriginalPrice and lineValue are gross in VAT-inclusive stores (totals.taxIncluded &gt; 0) and net
/// in VAT-exclusive ones (taxAdded &gt; 0); lineValueNet is lineValue(includingTax:false). Shipping is
/// taxed at the highest line rate; vouchers are split over rates by line gross.
/// </summary>
public static class CentraOrderMapper
{
    public static ShopOrder Map(CentraOrderDto dto)
    {
        if (dto.Number is not { } number)
            throw new JunipeerException(ErrorCodes.ShopQueryFailed, "Centra returned an order without a number.");
        var currency = dto.GrandTotal?.Currency?.Code
                       ?? throw new JunipeerException(ErrorCodes.ShopQueryFailed, $"Centra order {number} has no grandTotal currency.");

        var isWholesale = string.Equals(dto.TypeName, "WholesaleOrder", StringComparison.Ordinal)
                          || string.Equals(dto.Store?.Type, "WHOLESALE", StringComparison.OrdinalIgnoreCase);
        var taxIncluded = Value(dto.Totals?.TaxIncluded);
        var taxAdded = Value(dto.Totals?.TaxAdded);
        var pricesIncludeVat = taxIncluded > 0m || (taxAdded <= 0m && !isWholesale);

        var lines = (dto.Lines ?? []).Select((l, i) => MapLine(l, i, pricesIncludeVat)).ToList();
        var maxRate = lines.Count == 0 ? 0m : lines.Max(l => l.TaxPercent);

        var billing = MapAddress(dto.BillingAddress);
        var shipping = MapAddress(dto.ShippingAddress);

        return new ShopOrder
        {
            OrderNumber = number.ToString(CultureInfo.InvariantCulture),
            ShopOrderId = dto.Id ?? number.ToString(CultureInfo.InvariantCulture),
            Status = dto.Status ?? "",
            OrderDate = ParseDate(dto.OrderDate) ?? ParseDate(dto.CreatedAt) ?? DateTimeOffset.MinValue,
            UpdatedAt = ParseDate(dto.UpdatedAt) ?? ParseDate(dto.CreatedAt) ?? DateTimeOffset.MinValue,
            Currency = currency.ToUpperInvariant(),
            PricesIncludeVat = pricesIncludeVat,
            IsWholesale = isWholesale,
            StoreId = dto.Store?.Id,
            MarketId = dto.Market?.Id,
            MarketName = dto.Market?.Name,
            Customer = MapCustomer(dto, billing, isWholesale),
            BillingAddress = billing,
            ShippingAddress = shipping,
            Lines = lines,
            Shipping = MapShipping(dto.Totals, pricesIncludeVat, maxRate),
            OrderDiscounts = MapDiscounts(dto.DiscountsApplied, lines, pricesIncludeVat),
            Payments = MapPayments(dto.PaymentHistory),
            Refunds = MapRefunds(dto.PaymentHistory, currency.ToUpperInvariant()),
            GrandTotal = Value(dto.GrandTotal),
            VatTotal = pricesIncludeVat ? taxIncluded : taxAdded,
        };
    }

    internal static ShopOrderLine MapLine(CentraOrderLine line, int index, bool pricesIncludeVat)
    {
        var rate = line.TaxPercent ?? 0m;
        var quantity = line.Quantity ?? 0m;
        var value = Value(line.LineValue);
        decimal net, gross;
        if (pricesIncludeVat)
        {
            gross = value;
            net = line.LineValueNet?.Value is { } n && (n != gross || rate == 0m) ? n : Round(gross / (1m + rate / 100m));
        }
        else
        {
            net = line.LineValueNet?.Value ?? value;

            // The contract has lineValue net in VAT-exclusive stores; should Centra send it gross, keep it.
            gross = value != net && value != 0m ? value : Round(net * (1m + rate / 100m));
        }

        decimal originalNet, originalGross;
        if (line.UnitOriginalPrice?.Value is { } unitOriginal)
        {
            var original = Round(unitOriginal * quantity);
            if (pricesIncludeVat)
            {
                originalGross = original;
                originalNet = gross != 0m ? Round(original * net / gross) : Round(original / (1m + rate / 100m));
            }
            else
            {
                originalNet = original;
                originalGross = net != 0m ? Round(original * gross / net) : Round(original * (1m + rate / 100m));
            }
        }
        else
        {
            originalNet = net;
            originalGross = gross;
        }

        var sku = !string.IsNullOrWhiteSpace(line.ProductSize?.Sku) ? line.ProductSize!.Sku! : line.ProductNumber ?? "";
        var description = string.Join(" - ", new[] { line.ProductName, line.ProductVariantName, line.Size }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return new ShopOrderLine
        {
            LineId = line.Id ?? (index + 1).ToString(CultureInfo.InvariantCulture),
            Sku = sku,
            Description = description.Length > 0 ? description : sku,
            Quantity = quantity,
            TaxPercent = rate,
            ValueNet = net,
            ValueGross = gross,
            OriginalValueNet = originalNet,
            OriginalValueGross = originalGross,
        };
    }

    private static ShopShipping? MapShipping(CentraTotals? totals, bool pricesIncludeVat, decimal rate)
    {
        var value = Value(totals?.Shipping);
        var included = Value(totals?.ShippingTaxIncluded);
        var added = Value(totals?.ShippingTaxAdded);
        if (value == 0m && included == 0m && added == 0m)
            return null;
        return pricesIncludeVat
            ? new ShopShipping(null, value - included, value, rate)
            : new ShopShipping(null, value, value + added, rate);
    }

    private static List<ShopDiscount> MapDiscounts(IReadOnlyList<CentraAppliedDiscount>? applied, IReadOnlyList<ShopOrderLine> lines, bool pricesIncludeVat)
    {
        if (applied is null || applied.Count == 0)
            return [];
        var weights = lines.Select(l => (l.TaxPercent, l.ValueGross)).ToList();
        var result = new List<ShopDiscount>();
        foreach (var discount in applied)
        {
            var amount = Math.Abs(Value(discount.Value));
            if (amount == 0m)
                continue;
            var name = discount.VoucherName ?? discount.Code ?? "Voucher";
            foreach (var (rate, share) in VatSplit.Split(amount, weights))
            {
                var factor = 1m + rate / 100m;
                result.Add(pricesIncludeVat
                    ? new ShopDiscount(name, discount.Code, rate, Round(share / factor), share)
                    : new ShopDiscount(name, discount.Code, rate, share, Round(share * factor)));
            }
        }

        return result;
    }

    /// <summary>
    /// Gift-card payments, recognised by Centra's payment history entry type
    /// (centra.dev/graphql/paymenthistoryentrytype.html: AUTH_GIFT_CARD, CAPTURE_GIFT_CARD,
    /// CANCEL_GIFT_CARD, REFUND_GIFT_CARD). A successful capture counts; where a gift card was only
    /// authorised (no capture entry for that reference yet) the successful authorisation counts, since
    /// the order total is covered by it either way. Cancelled authorisations do not count.
    /// </summary>
    private static List<ShopPayment> MapPayments(IReadOnlyList<CentraPaymentHistoryEntry>? history)
    {
        if (history is null)
            return [];
        var ok = history.Where(p => string.Equals(p.Status, "SUCCESS", StringComparison.OrdinalIgnoreCase)).ToList();
        var cancelled = ok.Where(p => Is(p, "CANCEL_GIFT_CARD")).Select(Reference).ToHashSet(StringComparer.Ordinal);
        return ok
            .Where(p => Is(p, "CAPTURE_GIFT_CARD") || Is(p, "AUTH_GIFT_CARD"))
            .GroupBy(Reference, StringComparer.Ordinal)
            .Where(g => g.Any(p => Is(p, "CAPTURE_GIFT_CARD")) || !cancelled.Contains(g.Key))
            .Select(g => g.FirstOrDefault(p => Is(p, "CAPTURE_GIFT_CARD")) ?? g.First())
            .Select(p => new ShopPayment(ShopPaymentKinds.GiftCertificate, p.PaymentMethod, p.ExternalReference ?? p.Id, Math.Abs(Value(p.Value))))
            .Where(p => p.Amount != 0m)
            .ToList();

        static bool Is(CentraPaymentHistoryEntry p, string type) => string.Equals(p.EntryType, type, StringComparison.OrdinalIgnoreCase);
        static string Reference(CentraPaymentHistoryEntry p) => p.ExternalReference ?? p.Id ?? "";
    }

    /// <summary>
    /// Refunds made in Centra: payment history entries of type REFUND (centra.dev/graphql/paymenthistoryentrytype.html;
    /// REFUND_REQUEST and REFUND_FAILED are not money returned) with status SUCCESS, oldest first. Gift-card
    /// refunds (REFUND_GIFT_CARD) are not PSP refunds and are left out. The amount is taken as its absolute
    /// value (the docs do not say whether Centra signs it); the currency is the entry's own, else the order's.
    /// </summary>
    private static List<ShopRefund> MapRefunds(IReadOnlyList<CentraPaymentHistoryEntry>? history, string orderCurrency) =>
        (history ?? [])
            .Where(p => string.Equals(p.EntryType, "REFUND", StringComparison.OrdinalIgnoreCase)
                        && string.Equals(p.Status, "SUCCESS", StringComparison.OrdinalIgnoreCase)
                        && p.Id is not null && Value(p.Value) != 0m)
            .Select(p => new ShopRefund(p.Id!, p.ExternalReference, p.PaymentMethod, Math.Abs(Value(p.Value)),
                (p.Value?.Currency?.Code ?? orderCurrency).ToUpperInvariant(), ParseDate(p.CreatedAt) ?? DateTimeOffset.MinValue))
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();

    private static ShopCustomer MapCustomer(CentraOrderDto dto, ShopAddress billing, bool isWholesale)
    {
        if (isWholesale)
            return new ShopCustomer(dto.Account?.Id ?? dto.Buyer?.Id, dto.Buyer?.Email ?? billing.Email, billing.FirstName, billing.LastName);
        var c = dto.Customer;
        return new ShopCustomer(c?.Id, c?.Email ?? billing.Email, c?.FirstName ?? billing.FirstName, c?.LastName ?? billing.LastName);
    }

    private static ShopAddress MapAddress(CentraAddress? a) => a is null
        ? new ShopAddress()
        : new ShopAddress
        {
            FirstName = a.FirstName,
            LastName = a.LastName,
            CompanyName = a.CompanyName,
            Address1 = a.Address1,
            Address2 = a.Address2,
            City = a.City,
            ZipCode = a.ZipCode,
            CountryCode = a.Country?.Code?.Trim().ToUpperInvariant(),
            Email = a.Email,
            Phone = a.PhoneNumber,
            VatNumber = a.VatNumber,
        };

    internal static DateTimeOffset? ParseDate(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;

    private static decimal Value(CentraMoney? money) => money?.Value ?? 0m;

    private static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
