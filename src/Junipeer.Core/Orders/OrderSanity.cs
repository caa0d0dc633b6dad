using System.Collections.Frozen;
using System.Globalization;
using Junipeer.Core.Errors;
using Junipeer.Core.Shop;

namespace Junipeer.Core.Orders;

/// <summary>
/// What an order from the shop must be before anything is mapped or written: a known ISO 4217
/// currency, something to invoice, a total that is not negative, and no amount or quantity of absurd
/// size. The shop is trusted for its arithmetic (<see cref="InvoiceMapper"/> checks that), not for
/// its sanity: a corrupted or forged order is refused here with a code instead of being booked.
/// </summary>
public static class OrderSanity
{
    /// <summary>Largest absolute amount (order currency) or quantity accepted on an order: one billion.</summary>
    public const decimal MaxMagnitude = 1_000_000_000m;

    // Active ISO 4217 currency codes (ISO 4217 list one, without funds, precious metals and test codes).
    private static readonly FrozenSet<string> Iso4217 = (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY " +
        "COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR " +
        "IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR " +
        "MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD " +
        "SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF " +
        "XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL").Split(' ').ToFrozenSet(StringComparer.Ordinal);

    public static bool IsKnownCurrency(string? code) => code is { Length: 3 } && Iso4217.Contains(code);

    /// <summary>Throws ORDER_CURRENCY_UNKNOWN or ORDER_AMOUNT_INVALID for an order that must not be booked.</summary>
    public static void Check(ShopOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!IsKnownCurrency(order.Currency))
        {
            throw new JunipeerException(ErrorCodes.OrderCurrencyUnknown,
                $"Order {order.OrderNumber} is in currency '{Printable(order.Currency)}', which is not an ISO 4217 currency code; nothing was booked.");
        }

        var amounts = order.Lines.SelectMany(l => new[] { l.Quantity, l.ValueGross, l.ValueNet, l.OriginalValueNet })
            .Concat([order.GrandTotal, order.VatTotal, order.GiftCertificateTotal])
            .Concat(order.Shipping is { } s ? [s.Gross, s.Net] : [])
            .Concat(order.OrderDiscounts.SelectMany(d => new[] { d.Gross, d.Net }));
        if (amounts.Any(a => Math.Abs(a) >= MaxMagnitude))
        {
            throw Invalid(order, $"an amount or quantity of {MaxMagnitude.ToString("N0", CultureInfo.InvariantCulture)} or more");
        }

        if (order.GrandTotal < 0)
        {
            throw Invalid(order, $"a negative total ({order.GrandTotal.ToString("0.00", CultureInfo.InvariantCulture)} {order.Currency})");
        }

        var anything = order.Lines.Any(l => l.Quantity != 0 || l.ValueGross != 0)
                       || order.Shipping is { } sh && (sh.Gross != 0 || sh.Net != 0);
        if (!anything)
        {
            throw Invalid(order, "no line with a quantity or amount to invoice");
        }
    }

    private static JunipeerException Invalid(ShopOrder order, string what) =>
        new(ErrorCodes.OrderAmountInvalid, $"Order {order.OrderNumber} has {what}; nothing was booked. Correct the order in the shop, then replay it.");

    private static string Printable(string? value) =>
        new((value ?? "").Take(10).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
