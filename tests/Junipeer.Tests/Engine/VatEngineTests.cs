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
    [InlineData("DE", "10115", true, "DE12345", true, VatCase.EuB2CDestination, "DE", "DE")] // invalid format → B2C
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
}
