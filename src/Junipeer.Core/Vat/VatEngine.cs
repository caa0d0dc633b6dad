using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;

namespace Junipeer.Core.Vat;

/// <summary>What the VAT engine needs to know about a sale.</summary>
public sealed record VatInput(string ShipToCountry, string? ShipToPostalCode, bool IsBusiness, string? BuyerVatNumber);

/// <summary>The VAT case of a sale and the ERP mapping that books it.</summary>
public sealed record VatDecision(VatCase Case, string MappingKey, VatMapping Mapping, string CustomerClassId, string? BuyerVatNumber, string Reason);

/// <summary>
/// Pure OSS decision (reference: centra-psp-fortnox-vat.md §4): domestic, EU B2C (destination VAT
/// through OSS once over the threshold, else the seller's VAT), EU B2B reverse charge (valid-format
/// VAT number), export (outside the EU VAT area, including excluded territories).
/// </summary>
public static class VatEngine
{
    public static VatDecision Decide(VatSettings settings, VatInput input)
    {
        var seller = settings.SellerCountry.ToUpperInvariant();
        var rawCountry = input.ShipToCountry.Trim().ToUpperInvariant();
        var area = EuVat.VatAreaCountry(rawCountry, input.ShipToPostalCode);
        var vatNumber = string.IsNullOrWhiteSpace(input.BuyerVatNumber) ? null : EuVat.NormalizeVatNumber(input.BuyerVatNumber);

        if (area == seller)
        {
            return Decision(VatCase.Domestic, "domestic", settings.Domestic, settings.Domestic.CustomerClassId, vatNumber,
                $"ship-to {rawCountry} is the seller country");
        }

        if (area is not null && EuVat.MemberStates.Contains(area))
        {
            var validB2B = input.IsBusiness && vatNumber is not null && EuVat.HasValidFormat(vatNumber)
                           && !vatNumber.StartsWith(EuVat.VatPrefix(seller), StringComparison.Ordinal);
            if (validB2B)
            {
                var rc = settings.EuB2BReverseCharge ?? throw Missing("EU B2B reverse charge", area, "Vat.EuB2BReverseCharge");
                return Decision(VatCase.EuB2BReverseCharge, "eu-b2b", rc, rc.CustomerClassId, vatNumber,
                    $"business buyer in {area} with VAT number {vatNumber}");
            }

            var why = input.IsBusiness ? "business buyer without a valid-format VAT number, treated as B2C" : "consumer";
            if (!settings.EuB2CDestinationVat)
            {
                return Decision(VatCase.EuB2CSellerCountry, "eu-b2c-seller", settings.Domestic,
                    settings.EuB2CCustomerClassId ?? settings.Domestic.CustomerClassId, null,
                    $"{why} in {area}; below the OSS threshold, seller-country VAT");
            }

            if (!settings.Countries.TryGetValue(area, out var country))
            {
                throw Missing("EU B2C (OSS destination VAT)", area, $"Vat.Countries.{area}");
            }

            return Decision(VatCase.EuB2CDestination, area, country, country.CustomerClassId ?? settings.EuB2CCustomerClassId, null,
                $"{why} in {area}; destination VAT through OSS");
        }

        var export = settings.Export ?? throw Missing("export", rawCountry, "Vat.Export");
        var place = area is null && EuVat.MemberStates.Contains(rawCountry) ? $"{rawCountry} territory outside the EU VAT area" : rawCountry;
        return Decision(VatCase.Export, "export", export, export.CustomerClassId, vatNumber, $"ship-to {place}: export");
    }

    private static VatDecision Decision(VatCase vatCase, string key, VatMapping mapping, string? customerClass, string? vatNumber, string reason) =>
        new(vatCase, key, mapping, customerClass ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
            $"No customer class is configured for the VAT case {vatCase} (set CustomerClassId on its VAT mapping)."), vatNumber, reason);

    private static JunipeerException Missing(string vatCase, string country, string setting) =>
        new(ErrorCodes.OssCountryTaxMappingMissing,
            $"OSS country-to-tax mapping not configured: no taxZoneId/VAT categories for {country} ({vatCase}). Add {setting} to the integration's VAT settings.");
}
