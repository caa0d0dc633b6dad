using System.Globalization;

namespace Junipeer.Connectors.Payments;

/// <summary>
/// Minor units → major units per ISO 4217 exponent (shared by the PSP connectors: Stripe and Klarna
/// send integers in the currency's smallest unit). Zero- and three-decimal currencies per ISO 4217.
/// NOT modelled: the special cases Stripe documents for a few currencies (docs.stripe.com/currencies,
/// e.g. ISK, HUF, TWD, UGX, where its API and ISO differ); the currencies the flows book today
/// (SEK, EUR, NOK, DKK, GBP, USD) are plain two-decimal ones.
/// </summary>
public static class MinorUnits
{
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" };

    /// <summary>Digits after the decimal point of <paramref name="currency"/> (2 unless listed).</summary>
    public static int Exponent(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    public static decimal ToMajor(long minor, string currency) => Exponent(currency) switch
    {
        0 => minor,
        3 => minor / 1000m,
        _ => minor / 100m,
    };

    public static long ToMinor(decimal major, string currency) =>
        decimal.ToInt64(decimal.Round(major * Exponent(currency) switch { 0 => 1m, 3 => 1000m, _ => 100m }, MidpointRounding.AwayFromZero));

    /// <summary>Upper-case ISO code (Stripe reports lower case).</summary>
    public static string Code(string? currency) => (currency ?? "").Trim().ToUpper(CultureInfo.InvariantCulture);
}
