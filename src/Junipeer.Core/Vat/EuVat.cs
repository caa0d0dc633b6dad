namespace Junipeer.Core.Vat;

/// <summary>EU VAT-area facts the OSS decision needs (reference: centra-psp-fortnox-vat.md §4).</summary>
public static class EuVat
{
    /// <summary>EU member states (ISO alpha-2), plus XI (Northern Ireland, EU rules for goods).</summary>
    public static readonly IReadOnlySet<string> MemberStates = new HashSet<string>(StringComparer.Ordinal)
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
        "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
    };

    /// <summary>The VAT number prefix of a country (Greece uses EL).</summary>
    public static string VatPrefix(string countryCode) => countryCode == "GR" ? "EL" : countryCode;

    /// <summary>
    /// Normalises the ship-to country for VAT: Monaco is in the French VAT area (Art. 7); Northern Ireland
    /// (GB postcodes BT…) follows EU rules for goods (XI). Territories outside the EU VAT area are not
    /// decided here but in <see cref="SpecialTerritories"/>.
    /// </summary>
    public static string VatCountry(string countryCode, string? postalCode)
    {
        var zip = new string((postalCode ?? "").Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();
        return countryCode switch
        {
            "MC" => "FR",
            "GB" when zip.StartsWith("BT", StringComparison.Ordinal) => "XI",
            _ => countryCode,
        };
    }

    /// <summary>Upper-cases and strips spaces, dots and dashes; maps a GR prefix to EL.</summary>
    public static string NormalizeVatNumber(string raw) => NormalizeVatNumber(raw, null);

    /// <summary>
    /// As <see cref="NormalizeVatNumber(string)"/>; a number given without a prefix (starting with a digit)
    /// gets the VAT prefix of <paramref name="countryHint"/> (the buyer's country), as the reference advises.
    /// </summary>
    public static string NormalizeVatNumber(string raw, string? countryHint)
    {
        var s = new string(raw.Where(c => !char.IsWhiteSpace(c) && c is not '.' and not '-').ToArray()).ToUpperInvariant();
        if (s.Length > 0 && char.IsAsciiDigit(s[0]) && countryHint is { Length: 2 } && MemberStates.Contains(countryHint))
        {
            s = VatPrefix(countryHint) + s;
        }

        return s.StartsWith("GR", StringComparison.Ordinal) ? "EL" + s[2..] : s;
    }

    /// <summary>The member state (ISO code, GR for EL) a VAT number's prefix names, or null when it names none.</summary>
    public static string? CountryOfVatNumber(string normalized)
    {
        if (normalized.Length < 2)
        {
            return null;
        }

        var country = normalized[..2] == "EL" ? "GR" : normalized[..2];
        return MemberStates.Contains(country) ? country : null;
    }

    /// <summary>
    /// Whether the number has a valid format for its prefix (format check only; VIES is the real
    /// validity check and is not called in this slice).
    /// </summary>
    public static bool HasValidFormat(string normalized)
    {
        if (normalized.Length < 4)
        {
            return false;
        }

        var prefix = normalized[..2];
        var rest = normalized[2..];
        static bool Digits(string s, params int[] lengths) => lengths.Contains(s.Length) && s.All(char.IsAsciiDigit);
        static bool Alnum(char c) => char.IsAsciiLetterOrDigit(c);
        return prefix switch
        {
            "AT" => rest.Length == 9 && rest[0] == 'U' && rest[1..].All(char.IsAsciiDigit),
            "BE" => Digits(rest, 10) && rest[0] is '0' or '1',
            "BG" => Digits(rest, 9, 10),
            "CY" => rest.Length == 9 && rest[..8].All(char.IsAsciiDigit) && char.IsAsciiLetter(rest[8]),
            "CZ" => Digits(rest, 8, 9, 10),
            "DE" => Digits(rest, 9),
            "DK" => Digits(rest, 8),
            "EE" => Digits(rest, 9),
            "EL" => Digits(rest, 9),
            "ES" => rest.Length == 9 && Alnum(rest[0]) && Alnum(rest[8]) && rest[1..8].All(char.IsAsciiDigit),
            "FI" => Digits(rest, 8),
            "FR" => rest.Length == 11 && Alnum(rest[0]) && Alnum(rest[1]) && rest[2..].All(char.IsAsciiDigit),
            "HR" => Digits(rest, 11),
            "HU" => Digits(rest, 8),
            "IE" => rest.Length is 8 or 9 && rest.All(Alnum) && char.IsAsciiDigit(rest[0]),
            "IT" => Digits(rest, 11),
            "LT" => Digits(rest, 9, 12),
            "LU" => Digits(rest, 8),
            "LV" => Digits(rest, 11),
            "MT" => Digits(rest, 8),
            "NL" => rest.Length == 12 && rest[..9].All(char.IsAsciiDigit) && rest[9] == 'B' && rest[10..].All(char.IsAsciiDigit),
            "PL" => Digits(rest, 10),
            "PT" => Digits(rest, 9),
            "RO" => rest.Length is >= 2 and <= 10 && rest.All(char.IsAsciiDigit),
            "SE" => Digits(rest, 12) && rest.EndsWith("01", StringComparison.Ordinal),
            "SI" => Digits(rest, 8),
            "SK" => Digits(rest, 10),
            "XI" => Digits(rest, 9, 12),
            _ => false,
        };
    }
}
