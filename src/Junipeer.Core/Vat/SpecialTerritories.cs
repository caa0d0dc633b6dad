namespace Junipeer.Core.Vat;

/// <summary>
/// A territory of a member state that lies outside the EU VAT area, recognised by exact postcodes
/// (or an exact range) under the member state's country code.
/// </summary>
/// <param name="Country">ISO alpha-2 code of the member state the address is written under.</param>
/// <param name="Name">The territory.</param>
/// <param name="Ranges">Inclusive postcode ranges, compared as numbers of exactly <paramref name="Digits"/> digits.</param>
/// <param name="Digits">Length of a postcode in that country.</param>
/// <param name="Legal">Why it is outside the EU VAT area.</param>
/// <param name="PostcodeSource">Where the postcodes come from.</param>
public sealed record SpecialTerritory(string Country, string Name, IReadOnlyList<(int From, int To)> Ranges, int Digits, string Legal, string PostcodeSource)
{
    public bool Matches(int postcode) => Ranges.Any(r => postcode >= r.From && postcode <= r.To);
}

/// <summary>
/// A postcode used both by a territory outside the EU VAT area and by ordinary municipalities, so the
/// postcode alone cannot decide. The city on the address decides: it is the territory only when the
/// city names one of <paramref name="TerritoryLocalities"/>; without a city the order fails with
/// <c>VAT_TERRITORY_AMBIGUOUS</c> instead of guessing.
/// </summary>
public sealed record SharedPostcode(string Country, int Postcode, SpecialTerritory Territory, IReadOnlyList<string> TerritoryLocalities, string Why);

/// <summary>What a ship-to address is for VAT: its VAT-area country, or a territory outside it.</summary>
public sealed record TerritoryLookup(SpecialTerritory? Territory, SharedPostcode? Shared);

/// <summary>
/// Territories of member states outside the EU VAT area (Council Directive 2006/112/EC Art. 6, as amended
/// by Directive (EU) 2019/475; Art. 5 and TFEU Art. 355 for territories the EU treaties do not cover).
/// Each rule matches only its territory's own postcodes; anything else under the member state's country
/// code stays in that country's VAT area. docs/vat-territories.md lists the same table for operators;
/// VatEngineTests.Territories checks each row and its neighbours.
/// </summary>
/// <remarks>
/// Not matched by postcode, on purpose:
/// <list type="bullet">
/// <item>Italian waters of Lake Lugano (Art. 6(1)(g)): water, no postcode; shore municipalities are ordinary.</item>
/// <item>Channel Islands (Art. 6(1)(e)): no longer a member state's territory (GB/JE/GG are non-EU anyway).</item>
/// <item>Faroe Islands written under DK: Faroese codes have three digits, but Denmark itself has special-purpose
///   three-digit codes (and 0800–0999 codes that lose their leading zero), so a three-digit DK code is read as
///   Danish (ordinary). Faroese addresses are expected under their own code FO, which is outside the EU anyway.
///   The old Faroese range DK 3800–3899 is no longer in use and is not matched.</item>
/// <item>Own ISO codes (AX Åland, IC Canaries, EA Ceuta/Melilla, GP/GF/MQ/RE/YT/MF/BL/PM, GL, FO) need no rule:
///   they are not member states, so they are export already.</item>
/// <item>Azores and Madeira (PT 9xxx) and Corsica (FR 20xxx) are inside the EU VAT area (own rates, same country).</item>
/// </list>
/// </remarks>
public static class SpecialTerritories
{
    private const string Art6 = "Directive 2006/112/EC Art. 6";

    public static readonly SpecialTerritory Aland = new("FI", "Åland Islands", [(22000, 22999)], 5,
        $"{Art6}(1)(d)", "Posti / Åland Post: all Åland postcodes are 22xxx (written AX-22xxx); mainland codes around them are 21xxx and 23xxx.");

    public static readonly SpecialTerritory CanaryIslands = new("ES", "Canary Islands", [(35000, 35999), (38000, 38999)], 5,
        $"{Art6}(1)(b)", "Correos: the first two digits are the province (INE code); 35 = Las Palmas and 38 = Santa Cruz de Tenerife, the two Canary provinces, exactly.");

    public static readonly SpecialTerritory Ceuta = new("ES", "Ceuta", [(51000, 51999)], 5,
        $"{Art6}(2)(c)", "Correos: province code 51 = Ceuta (codes 51001–51081 in use).");

    public static readonly SpecialTerritory Melilla = new("ES", "Melilla", [(52000, 52999)], 5,
        $"{Art6}(2)(d)", "Correos: province code 52 = Melilla (codes 52001–52081 in use).");

    public static readonly SpecialTerritory FrenchOutermost = new("FR", "French overseas departments and collectivities (Guadeloupe, Martinique, French Guiana, Réunion, Mayotte, Saint-Martin; also Saint-Barthélemy and Saint-Pierre-et-Miquelon)",
        [(97000, 97999)], 5,
        $"{Art6}(1)(c) (TFEU Art. 349 and 355(1)); Saint-Barthélemy and Saint-Pierre-et-Miquelon are OCTs outside the EU (TFEU Art. 355(2), Annex II)",
        "La Poste: 971 Guadeloupe (incl. 97133 Saint-Barthélemy, 97150 Saint-Martin), 972 Martinique, 973 French Guiana, 974 Réunion, 975 Saint-Pierre-et-Miquelon, 976 Mayotte; no metropolitan code starts with 97.");

    public static readonly SpecialTerritory FrenchPacific = new("FR", "French overseas countries and territories (TAAF, Wallis and Futuna, French Polynesia, New Caledonia)",
        [(98400, 98899)], 5,
        "Outside the EU: OCTs (TFEU Art. 355(2), Annex II), so not in the territory of the Community (Directive 2006/112/EC Art. 5)",
        "La Poste: 984 TAAF, 986 Wallis and Futuna, 987 French Polynesia, 988 New Caledonia. 98000 (Monaco) is not in the range: Monaco is in the French VAT area (Art. 7).");

    public static readonly SpecialTerritory Heligoland = new("DE", "Heligoland", [(27498, 27498)], 5,
        $"{Art6}(2)(a)", "Deutsche Post: 27498 Helgoland (the only code of the island; it is used by no other municipality).");

    public static readonly SpecialTerritory Busingen = new("DE", "Büsingen am Hochrhein", [(78266, 78266)], 5,
        $"{Art6}(2)(b)", "Deutsche Post: 78266 Büsingen (its Swiss code CH-8238 is under CH, non-EU anyway).");

    public static readonly SpecialTerritory Livigno = new("IT", "Livigno (with Trepalle)", [(23041, 23041)], 5,
        $"{Art6}(2)(e)", "Poste Italiane: CAP 23041 Livigno (its own CAP). The older CAP 23030 is shared; see SharedPostcodes.");

    public static readonly SpecialTerritory Campione = new("IT", "Campione d'Italia", [(22061, 22061)], 5,
        $"{Art6}(1)(f) (moved from 6(2) by Directive (EU) 2019/475 from 2020; still outside the VAT area)",
        "Poste Italiane: CAP 22061 Campione d'Italia (its Swiss code CH-6911 is under CH). 22060 is a shared CAP of ordinary Como municipalities, not Campione.");

    public static readonly SpecialTerritory MountAthos = new("GR", "Mount Athos", [(63086, 63086)], 5,
        $"{Art6}(1)(a)", "ELTA: 630 86 Karyes, Agion Oros (the post office of the Holy Mountain). Neighbouring Chalkidiki codes (e.g. 630 75 Ouranoupoli) are ordinary.");

    public static readonly SpecialTerritory Greenland = new("DK", "Greenland", [(3900, 3999)], 4,
        "Outside the EU: OCT (TFEU Art. 355(2), Annex II), so not in the territory of the Community (Directive 2006/112/EC Art. 5)",
        "Danish postcode plan: 3900–3999 is Greenland (Tele-Post, e.g. 3900 Nuuk); Bornholm is 37xx, 3800–3899 (old Faroese range) is unused.");

    /// <summary>The rules, in the order of docs/vat-territories.md.</summary>
    public static IReadOnlyList<SpecialTerritory> All { get; } =
        [Aland, CanaryIslands, Ceuta, Melilla, FrenchOutermost, FrenchPacific, Heligoland, Busingen, Livigno, Campione, MountAthos, Greenland];

    /// <summary>Postcodes a territory shares with ordinary municipalities: the city decides.</summary>
    public static IReadOnlyList<SharedPostcode> SharedPostcodes { get; } =
    [
        new("IT", 23030, Livigno, ["LIVIGNO", "TREPALLE"],
            "Livigno's addresses are still published with the older CAP 23030, which is also the current CAP of ordinary Alta Valtellina municipalities."),
    ];

    /// <summary>
    /// Finds the territory an address lies in. <paramref name="city"/> is only read for a shared postcode.
    /// Returns an empty lookup for an ordinary address.
    /// </summary>
    public static TerritoryLookup Find(string countryCode, string? postalCode, string? city)
    {
        var rules = All.Where(t => t.Country == countryCode).ToList();
        if (rules.Count == 0 || Postcode(postalCode) is not { } zip)
        {
            return new(null, null);
        }

        if (rules.FirstOrDefault(t => t.Digits == zip.Length && t.Matches(zip.Value)) is { } territory)
        {
            return new(territory, null);
        }

        var shared = SharedPostcodes.FirstOrDefault(s => s.Country == countryCode && s.Territory.Digits == zip.Length && s.Postcode == zip.Value);
        if (shared is null)
        {
            return new(null, null);
        }

        // Shared postcode: the city decides. Without one we cannot tell, and say so (the caller raises
        // VAT_TERRITORY_AMBIGUOUS); with a city that is not the territory's, the address is ordinary.
        if (string.IsNullOrWhiteSpace(city))
        {
            return new(null, shared);
        }

        var words = NormalizeCity(city);
        return shared.TerritoryLocalities.Any(l => words.Contains(l)) ? new(shared.Territory, null) : new(null, null);
    }

    /// <summary>
    /// The postcode as digits: spaces, dashes and dots removed, and a leading country prefix of one to
    /// three letters (AX-22100, D-27498, I-23041, GR 630 86) dropped. Null when what is left is not all digits.
    /// </summary>
    internal static (int Value, int Length)? Postcode(string? raw)
    {
        var s = new string((raw ?? "").Where(c => !char.IsWhiteSpace(c) && c is not '-' and not '.').ToArray()).ToUpperInvariant();
        var letters = s.TakeWhile(char.IsAsciiLetter).Count();
        if (letters is > 0 and <= 3)
        {
            s = s[letters..];
        }

        return s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit) ? (int.Parse(s, System.Globalization.CultureInfo.InvariantCulture), s.Length) : null;
    }

    private static HashSet<string> NormalizeCity(string city)
    {
        var plain = new string(city.Normalize(System.Text.NormalizationForm.FormD)
            .Where(c => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
            .Select(c => char.IsLetter(c) ? char.ToUpperInvariant(c) : ' ').ToArray());
        return plain.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }
}
