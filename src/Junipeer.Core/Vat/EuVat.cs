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
    /// Normalises the ship-to country for VAT: Monaco is in the French VAT area; Northern Ireland
    /// (GB postcodes BT…) follows EU rules for goods (XI). Territories outside the EU VAT area that
    /// belong to a member state are reported as <c>null</c> (treated as export). The postcode rules
    /// come from the reference notes, which mark them "from memory — verify": keep them reviewed.
    /// </summary>
    public static string? VatAreaCountry(string countryCode, string? postalCode)
    {
        var zip = new string((postalCode ?? "").Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();
        switch (countryCode)
        {
            case "MC":
                return "FR";
            case "GB" when zip.StartsWith("BT", StringComparison.Ordinal):
                return "XI";
            case "FI" when zip.StartsWith("22", StringComparison.Ordinal) && zip.Length == 5:
                return null; // Åland
            case "ES" when zip.Length == 5 && (zip.StartsWith("35", StringComparison.Ordinal) || zip.StartsWith("38", StringComparison.Ordinal)
                                               || zip.StartsWith("51", StringComparison.Ordinal) || zip.StartsWith("52", StringComparison.Ordinal)):
                return null; // Canary Islands, Ceuta, Melilla
            case "FR" when zip.Length == 5 && zip.StartsWith("97", StringComparison.Ordinal):
                return null; // French overseas departments
            case "GR" when zip == "63086":
                return null; // Mount Athos
            case "DE" when zip is "27498" or "78266":
                return null; // Heligoland, Büsingen
            case "IT" when zip is "23041" or "22061" or "22060":
                return null; // Livigno, Campione d'Italia
            default:
                return countryCode;
        }
    }

    /// <summary>Upper-cases and strips spaces, dots and dashes; maps a GR prefix to EL.</summary>
    public static string NormalizeVatNumber(string raw)
    {
        var s = new string(raw.Where(c => !char.IsWhiteSpace(c) && c is not '.' and not '-').ToArray()).ToUpperInvariant();
        return s.StartsWith("GR", StringComparison.Ordinal) ? "EL" + s[2..] : s;
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
