using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Vat;

namespace Junipeer.Tests.Engine;

public class VatEngineTests
{
    [Theory]
    // ship-to, zip, business, VAT number, destinationVat → case, mapping key, zone
    [InlineData("SE", "11122", false, null, true, VatCase.Domestic, "domestic", "SE")]
    [InlineData("SE", "11122", true, "SE556036111101", true, VatCase.Domestic, "domestic", "SE")]
    [InlineData("DE", "10115", false, null, true, VatCase.EuB2CDestination, "DE", "DE")]
    [InlineData("DE", "10115", false, null, false, VatCase.EuB2CSellerCountry, "eu-b2c-seller", "SE")]
    [InlineData("DE", "10115", true, "DE123456789", true, VatCase.EuB2BReverseCharge, "eu-b2b", "EUB2B")]
    [InlineData("DE", "10115", true, "de 123.456-789", true, VatCase.EuB2BReverseCharge, "eu-b2b", "EUB2B")]
    [InlineData("DE", "10115", true, null, true, VatCase.EuB2CDestination, "DE", "DE")] // business without a VAT number → B2C
    [InlineData("DE", "10115", true, "123456789", true, VatCase.EuB2BReverseCharge, "eu-b2b", "EUB2B")] // no prefix: the ship-to country's
    [InlineData("DE", "10115", true, "FRXX123456789", true, VatCase.EuB2BReverseCharge, "eu-b2b", "EUB2B")] // VAT number of a third member state
    [InlineData("DE", "10115", false, "DE123456789", true, VatCase.EuB2CDestination, "DE", "DE")] // consumer with a number
    [InlineData("GR", "10552", true, "EL123456789", true, VatCase.EuB2BReverseCharge, "eu-b2b", "EUB2B")]
    [InlineData("GR", "10552", true, "GR123456789", true, VatCase.EuB2BReverseCharge, "eu-b2b", "EUB2B")] // GR prefix normalised to EL
    [InlineData("GR", "10552", false, null, true, VatCase.EuB2CDestination, "GR", "GR")]
    [InlineData("FR", "75001", true, "FRXX123456789", true, VatCase.EuB2BReverseCharge, "eu-b2b", "EUB2B")]
    [InlineData("MC", "98000", false, null, true, VatCase.EuB2CDestination, "FR", "FR")] // Monaco: French VAT area
    [InlineData("NO", "0150", false, null, true, VatCase.Export, "export", "EXPORT")]
    [InlineData("NO", "0150", true, "NO999999999MVA", true, VatCase.Export, "export", "EXPORT")]
    [InlineData("US", "10001", false, null, true, VatCase.Export, "export", "EXPORT")]
    [InlineData("GB", "SW1A1AA", false, null, true, VatCase.Export, "export", "EXPORT")]
    [InlineData("GB", "BT1 1AA", false, null, true, VatCase.EuB2CDestination, "XI", "XI")] // Northern Ireland: EU for goods
    [InlineData("FI", "22100", false, null, true, VatCase.Export, "export", "EXPORT")] // Åland
    [InlineData("FI", "00100", false, null, true, VatCase.EuB2CDestination, "FI", "FI")]
    [InlineData("ES", "35001", false, null, true, VatCase.Export, "export", "EXPORT")] // Canary Islands
    [InlineData("FR", "97400", false, null, true, VatCase.Export, "export", "EXPORT")] // Réunion
    [InlineData("DE", "27498", false, null, true, VatCase.Export, "export", "EXPORT")] // Heligoland
    [InlineData("SE", "11122", true, "SE556036111101", false, VatCase.Domestic, "domestic", "SE")]
    [InlineData("SE", "11122", true, "SE5560", true, VatCase.Domestic, "domestic", "SE")] // malformed but domestic: seller's VAT either way
    [InlineData("US", "10001", true, "US-123", true, VatCase.Export, "export", "EXPORT")] // export: the number is not checked
    public void Decides_the_vat_case(string country, string zip, bool business, string? vatNo, bool destination, VatCase expected, string key, string zone)
    {
        var d = VatEngine.Decide(TestData.Vat(destination), new VatInput(country, zip, business, vatNo));
        Assert.Equal(expected, d.Case);
        Assert.Equal(key, d.MappingKey);
        Assert.Equal(zone, d.Mapping.TaxZoneId);
    }

    [Fact]
    public void Customer_class_follows_the_case()
    {
        var vat = TestData.Vat();
        Assert.Equal("DOMESTIC", VatEngine.Decide(vat, new VatInput("SE", "1", false, null)).CustomerClassId);
        Assert.Equal("EUB2C", VatEngine.Decide(vat, new VatInput("DE", "1", false, null)).CustomerClassId);
        Assert.Equal("EUB2B", VatEngine.Decide(vat, new VatInput("DE", "1", true, "DE123456789")).CustomerClassId);
        Assert.Equal("EXPORT", VatEngine.Decide(vat, new VatInput("US", "1", false, null)).CustomerClassId);
        Assert.Equal("EUB2C", VatEngine.Decide(TestData.Vat(destination: false), new VatInput("DE", "1", false, null)).CustomerClassId);
    }

    [Fact]
    public void Unmapped_EU_country_fails_with_OSS_COUNTRY_TAX_MAPPING_MISSING()
    {
        var ex = Assert.Throws<JunipeerException>(() => VatEngine.Decide(TestData.Vat(), new VatInput("IT", "00100", false, null)));
        Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing, ex.Code);
        Assert.Contains("IT", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.Retryable);
    }

    [Fact]
    public void Missing_case_mappings_fail_with_the_same_code()
    {
        var vat = TestData.Vat() with { Export = null, EuB2BReverseCharge = null };
        Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing,
            Assert.Throws<JunipeerException>(() => VatEngine.Decide(vat, new VatInput("US", "1", false, null))).Code);
        Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing,
            Assert.Throws<JunipeerException>(() => VatEngine.Decide(vat, new VatInput("DE", "1", true, "DE123456789"))).Code);
    }

    [Theory]
    [InlineData("ATU12345678", true)]
    [InlineData("ATU1234567", false)]
    [InlineData("BE0123456789", true)]
    [InlineData("BE2123456789", false)]
    [InlineData("NL123456789B01", true)]
    [InlineData("NL123456789C01", false)]
    [InlineData("SE556036111101", true)]
    [InlineData("SE556036111102", false)]
    [InlineData("ESX1234567X", true)]
    [InlineData("IE1234567WA", true)]
    [InlineData("CY12345678L", true)]
    [InlineData("XX123456789", false)]
    public void Checks_vat_number_formats(string number, bool valid) => Assert.Equal(valid, EuVat.HasValidFormat(EuVat.NormalizeVatNumber(number)));

    // ---- Business buyer registered in the dispatch country (rule 2) ----

    [Theory]
    [InlineData("DE", "10115", "SE556036111101")]
    [InlineData("FR", "75001", "se 556036-1111 01")]
    [InlineData("GR", "10552", "SE556036111101")]
    public void Business_buyer_with_a_VAT_number_of_the_seller_country_pays_the_sellers_VAT(string country, string zip, string vatNo)
    {
        var d = VatEngine.Decide(TestData.Vat(), new VatInput(country, zip, true, vatNo));
        Assert.Equal(VatCase.Domestic, d.Case);
        Assert.Equal("domestic", d.MappingKey);
        Assert.Equal("SE", d.Mapping.TaxZoneId);
        Assert.Equal("DOMESTIC", d.CustomerClassId);
        Assert.Equal("SE556036111101", d.BuyerVatNumber);
        Assert.Contains("dispatch country SE", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Greek_seller_recognises_its_own_EL_numbers()
    {
        var vat = TestData.Vat() with { SellerCountry = "GR" };
        Assert.Equal(VatCase.Domestic, VatEngine.Decide(vat, new VatInput("DE", "10115", true, "GR123456789")).Case);
        Assert.Equal(VatCase.EuB2BReverseCharge, VatEngine.Decide(vat, new VatInput("DE", "10115", true, "SE556036111101")).Case);
    }

    // ---- Malformed VAT number of a business buyer (rule 3) ----

    [Theory]
    [InlineData("DE", "10115", "DE12345", "DE")]          // too short for DE
    [InlineData("FR", "75001", "FR 12 345", "FR")]
    [InlineData("DE", "10115", "NO999999999MVA", null)]   // not an EU prefix
    [InlineData("FI", "00100", "12", "FI")]                // no prefix: read as the ship-to country's, still too short
    public void Malformed_VAT_number_of_a_business_fails_with_VAT_NUMBER_INVALID_naming_number_and_country(string country, string zip, string vatNo, string? named)
    {
        var ex = Assert.Throws<JunipeerException>(() => VatEngine.Decide(TestData.Vat(), new VatInput(country, zip, true, vatNo)));
        Assert.Equal(ErrorCodes.VatNumberInvalid, ex.Code);
        Assert.False(ex.Retryable);
        Assert.Contains($"'{vatNo}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"shipping to {country}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(named is null ? "not an EU VAT prefix" : $"format of a {named} VAT number", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Vat.TreatInvalidVatNumberAsConsumer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_error_names_the_VAT_number_even_when_the_country_is_not_mapped()
    {
        // Before: the buyer silently became a consumer and failed with OSS_COUNTRY_TAX_MAPPING_MISSING for IT.
        var ex = Assert.Throws<JunipeerException>(() => VatEngine.Decide(TestData.Vat(), new VatInput("IT", "00100", true, "IT123")));
        Assert.Equal(ErrorCodes.VatNumberInvalid, ex.Code);
        Assert.Contains("IT123", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TreatInvalidVatNumberAsConsumer_books_the_buyer_as_a_consumer()
    {
        var vat = TestData.Vat() with { TreatInvalidVatNumberAsConsumer = true };
        var d = VatEngine.Decide(vat, new VatInput("DE", "10115", true, "DE12345"));
        Assert.Equal(VatCase.EuB2CDestination, d.Case);
        Assert.Equal("DE", d.MappingKey);
        Assert.Null(d.BuyerVatNumber);
        Assert.Contains("DE12345", d.Reason, StringComparison.Ordinal);

        var seller = VatEngine.Decide(vat with { EuB2CDestinationVat = false }, new VatInput("DE", "10115", true, "DE12345"));
        Assert.Equal(VatCase.EuB2CSellerCountry, seller.Case);

        // Still the mapping error for an unmapped country, as for any consumer.
        Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing,
            Assert.Throws<JunipeerException>(() => VatEngine.Decide(vat, new VatInput("IT", "00100", true, "IT123"))).Code);
    }

    [Fact]
    public void A_consumer_order_with_a_stray_VAT_number_is_not_failed()
    {
        // IsBusiness false (not wholesale, no company): the number is not what decides.
        Assert.Equal(VatCase.EuB2CDestination, VatEngine.Decide(TestData.Vat(), new VatInput("DE", "10115", false, "DE12345")).Case);
    }

    // ---- Territories outside the EU VAT area (rule 1) ----

    /// <summary>
    /// The territory table of docs/vat-territories.md: (country, postcode, city, expected VAT-area result,
    /// territory or neighbour, source). Export rows are territories; the others are ordinary neighbours
    /// that share or nearly share a postcode pattern and must keep their normal VAT.
    /// </summary>
    public static TheoryData<string, string, string?, VatCase, string, string> Territories() => new()
    {
        // Åland (Art. 6(1)(d); Posti / Åland Post 22xxx)
        { "FI", "22100", null, VatCase.Export, "Åland: Mariehamn", "Art. 6(1)(d); Posti 22xxx" },
        { "FI", "22999", null, VatCase.Export, "Åland: top of range", "Art. 6(1)(d); Posti 22xxx" },
        { "FI", "AX-22100", null, VatCase.Export, "Åland written with its AX prefix", "Art. 6(1)(d)" },
        { "FI", "21100", null, VatCase.EuB2CDestination, "Naantali (mainland, below)", "Posti" },
        { "FI", "23100", null, VatCase.EuB2CDestination, "Mynämäki (mainland, above)", "Posti" },
        { "FI", "2210", null, VatCase.EuB2CDestination, "four digits: not a Finnish postcode, no match", "Posti: 5 digits" },
        { "AX", "22100", null, VatCase.Export, "Åland under its own ISO code", "ISO 3166 AX" },
        // Canary Islands (Art. 6(1)(b); Correos provinces 35, 38)
        { "ES", "35001", null, VatCase.Export, "Canaries: Las Palmas de Gran Canaria", "Art. 6(1)(b); Correos province 35" },
        { "ES", "38001", null, VatCase.Export, "Canaries: Santa Cruz de Tenerife", "Art. 6(1)(b); Correos province 38" },
        { "ES", "28001", null, VatCase.EuB2CDestination, "Madrid", "Correos" },
        { "ES", "36001", null, VatCase.EuB2CDestination, "Pontevedra (province 36)", "Correos" },
        { "ES", "39001", null, VatCase.EuB2CDestination, "Santander (province 39)", "Correos" },
        { "ES", "3500", null, VatCase.EuB2CDestination, "03500 Benidorm with its leading zero lost", "Correos: 5 digits" },
        // Ceuta, Melilla (Art. 6(2)(c),(d); Correos provinces 51, 52)
        { "ES", "51001", null, VatCase.Export, "Ceuta", "Art. 6(2)(c); Correos province 51" },
        { "ES", "52001", null, VatCase.Export, "Melilla", "Art. 6(2)(d); Correos province 52" },
        { "ES", "50001", null, VatCase.EuB2CDestination, "Zaragoza (province 50)", "Correos" },
        { "ES", "29001", null, VatCase.EuB2CDestination, "Málaga (mainland port for Melilla)", "Correos" },
        // French overseas (Art. 6(1)(c); OCTs TFEU 355(2); La Poste 97x, 984-988)
        { "FR", "97100", null, VatCase.Export, "Guadeloupe: Basse-Terre", "Art. 6(1)(c); La Poste 971" },
        { "FR", "97200", null, VatCase.Export, "Martinique: Fort-de-France", "Art. 6(1)(c); La Poste 972" },
        { "FR", "97300", null, VatCase.Export, "French Guiana: Cayenne", "Art. 6(1)(c); La Poste 973" },
        { "FR", "97400", null, VatCase.Export, "Réunion: Saint-Denis", "Art. 6(1)(c); La Poste 974" },
        { "FR", "97600", null, VatCase.Export, "Mayotte: Mamoudzou", "Art. 6(1)(c); La Poste 976" },
        { "FR", "97150", null, VatCase.Export, "Saint-Martin", "Art. 6(1)(c); La Poste 97150" },
        { "FR", "98800", null, VatCase.Export, "New Caledonia: Nouméa", "TFEU 355(2) OCT; La Poste 988" },
        { "FR", "75001", null, VatCase.EuB2CDestination, "Paris", "La Poste" },
        { "FR", "20000", null, VatCase.EuB2CDestination, "Ajaccio (Corsica is inside)", "La Poste" },
        { "FR", "98000", null, VatCase.EuB2CDestination, "Monaco written under FR", "Art. 7; La Poste 98000" },
        { "MC", "98000", null, VatCase.EuB2CDestination, "Monaco", "Art. 7" },
        // Heligoland, Büsingen (Art. 6(2)(a),(b); Deutsche Post)
        { "DE", "27498", null, VatCase.Export, "Heligoland", "Art. 6(2)(a); Deutsche Post 27498" },
        { "DE", "D-27498", null, VatCase.Export, "Heligoland with the old D- prefix", "Art. 6(2)(a)" },
        { "DE", "27472", null, VatCase.EuB2CDestination, "Cuxhaven (the ferry port)", "Deutsche Post" },
        { "DE", "27499", null, VatCase.EuB2CDestination, "near code, not Heligoland", "Deutsche Post" },
        { "DE", "78266", null, VatCase.Export, "Büsingen am Hochrhein", "Art. 6(2)(b); Deutsche Post 78266" },
        { "DE", "78262", null, VatCase.EuB2CDestination, "Gailingen am Hochrhein (neighbour)", "Deutsche Post" },
        { "DE", "78267", null, VatCase.EuB2CDestination, "near code, not Büsingen", "Deutsche Post" },
        { "CH", "8238", null, VatCase.Export, "Büsingen under its Swiss code", "Swiss Post 8238 (CH non-EU)" },
        // Livigno, Campione d'Italia (Art. 6(2)(e), 6(1)(f); Poste Italiane)
        { "IT", "23041", null, VatCase.Export, "Livigno", "Art. 6(2)(e); Poste Italiane 23041" },
        { "IT", "23041", "Trepalle", VatCase.Export, "Trepalle (frazione of Livigno)", "Art. 6(2)(e); Poste Italiane 23041" },
        { "IT", "23032", null, VatCase.EuB2CDestination, "Bormio", "Poste Italiane" },
        { "IT", "23030", "Valdisotto", VatCase.EuB2CDestination, "shared CAP 23030, another municipality", "Poste Italiane 23030" },
        { "IT", "23030", "LIVIGNO (SO)", VatCase.Export, "shared CAP 23030, city says Livigno", "Art. 6(2)(e)" },
        { "IT", "22061", null, VatCase.Export, "Campione d'Italia", "Art. 6(1)(f); Poste Italiane 22061" },
        { "IT", "22060", null, VatCase.EuB2CDestination, "shared CAP of ordinary Como municipalities (was wrongly zero-rated)", "Poste Italiane 22060" },
        { "IT", "22100", null, VatCase.EuB2CDestination, "Como", "Poste Italiane" },
        // Mount Athos (Art. 6(1)(a); ELTA 630 86)
        { "GR", "63086", null, VatCase.Export, "Mount Athos: Karyes", "Art. 6(1)(a); ELTA 630 86" },
        { "GR", "630 86", null, VatCase.Export, "Mount Athos written Greek-style", "Art. 6(1)(a)" },
        { "GR", "63075", null, VatCase.EuB2CDestination, "Ouranoupoli (gateway town)", "ELTA" },
        { "GR", "63087", null, VatCase.EuB2CDestination, "near code, not Athos", "ELTA" },
        // Greenland (OCT, TFEU 355(2); Post Greenland 39xx)
        { "DK", "3900", null, VatCase.Export, "Greenland: Nuuk", "TFEU 355(2) OCT; Post Greenland 3900" },
        { "DK", "3700", null, VatCase.EuB2CDestination, "Rønne (Bornholm)", "PostNord DK" },
        { "DK", "800", null, VatCase.EuB2CDestination, "three digits under DK: read as 0800, not Faroese (documented)", "PostNord DK" },
    };

    [Theory]
    [MemberData(nameof(Territories))]
    public void Territories_are_matched_by_their_exact_postcodes_only(string country, string zip, string? city, VatCase expected, string place, string source)
    {
        var vat = TestData.Vat() with
        {
            Countries = new Dictionary<string, VatMapping>(TestData.Vat().Countries)
            {
                ["ES"] = TestData.Map("ES", null, ("21", "ES21")),
                ["IT"] = TestData.Map("IT", null, ("22", "IT22")),
                ["DK"] = TestData.Map("DK", null, ("25", "DK25")),
            },
        };
        var d = VatEngine.Decide(vat, new VatInput(country, zip, false, null, city));
        Assert.True(expected == d.Case, $"{country} {zip} ({place}; {source}): expected {expected}, got {d.Case} — {d.Reason}");
        if (expected == VatCase.Export && EuVat.MemberStates.Contains(country))
        {
            Assert.Contains("outside the EU VAT area", d.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_territory_rule_is_covered_by_the_table_with_a_matching_postcode()
    {
        var exports = Territories().Select(r => r.Data).Where(r => r.Item4 == VatCase.Export).ToList();
        foreach (var t in SpecialTerritories.All)
        {
            Assert.True(exports.Any(r => r.Item1 == t.Country && SpecialTerritories.Find(r.Item1, r.Item2, r.Item3).Territory == t), $"{t.Name} has no export row in the test table");
            Assert.False(string.IsNullOrWhiteSpace(t.Legal));
            Assert.False(string.IsNullOrWhiteSpace(t.PostcodeSource));
        }
    }

    [Fact]
    public void Territory_rows_of_the_docs_table_match_the_code()
    {
        var doc = File.ReadAllText(Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "docs", "vat-territories.md"));
        foreach (var t in SpecialTerritories.All)
        {
            var range = string.Join(", ", t.Ranges.Select(r => r.From == r.To ? $"{r.From}" : $"{r.From}–{r.To}"));
            Assert.Contains($"| {t.Country} | ", doc, StringComparison.Ordinal);
            Assert.Contains($" | {range}", doc, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_shared_postcode_without_a_city_fails_with_VAT_TERRITORY_AMBIGUOUS()
    {
        var ex = Assert.Throws<JunipeerException>(() => VatEngine.Decide(TestData.Vat(), new VatInput("IT", "23030", false, null)));
        Assert.Equal(ErrorCodes.VatTerritoryAmbiguous, ex.Code);
        Assert.False(ex.Retryable);
        Assert.Contains("23030", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Livigno", ex.Message, StringComparison.Ordinal);
        Assert.Contains("city", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.VatTerritoryAmbiguous,
            Assert.Throws<JunipeerException>(() => VatEngine.Decide(TestData.Vat(), new VatInput("IT", "23030", true, "IT12345678901", "  "))).Code);
    }

    [Fact]
    public void A_territory_is_export_even_for_a_business_with_a_VAT_number()
    {
        var d = VatEngine.Decide(TestData.Vat(), new VatInput("ES", "35001", true, "ESX1234567X"));
        Assert.Equal(VatCase.Export, d.Case);
        Assert.Contains("Canary Islands", d.Reason, StringComparison.Ordinal);
        Assert.Equal(VatCase.Export, VatEngine.Decide(TestData.Vat(), new VatInput("ES", "38001", true, "ES123")).Case); // not checked for export
    }
}
