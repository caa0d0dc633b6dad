using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;

namespace Junipeer.Core.Vat;

/// <summary>What the VAT engine needs to know about a sale.</summary>
/// <param name="ShipToCity">
/// Only read when the postcode is shared by a territory outside the EU VAT area and ordinary
/// municipalities (see <see cref="SpecialTerritories.SharedPostcodes"/>); without it such an order fails
/// with VAT_TERRITORY_AMBIGUOUS. Callers should pass the ship-to city.
/// </param>
public sealed record VatInput(string ShipToCountry, string? ShipToPostalCode, bool IsBusiness, string? BuyerVatNumber, string? ShipToCity = null);

/// <summary>The VAT case of a sale and the ERP mapping that books it.</summary>
public sealed record VatDecision(VatCase Case, string MappingKey, VatMapping Mapping, string CustomerClassId, string? BuyerVatNumber, string Reason);

/// <summary>
/// Pure OSS decision (reference: centra-psp-fortnox-vat.md §4): domestic, EU B2C (destination VAT
/// through OSS once over the threshold, else the seller's VAT), EU B2B reverse charge (valid-format
/// VAT number of another member state), export (outside the EU VAT area, including the territories in
/// <see cref="SpecialTerritories"/>).
/// </summary>
public static class VatEngine
{
    public static VatDecision Decide(VatSettings settings, VatInput input)
    {
        var seller = settings.SellerCountry.ToUpperInvariant();
        var rawCountry = input.ShipToCountry.Trim().ToUpperInvariant();
        var country = EuVat.VatCountry(rawCountry, input.ShipToPostalCode);
        var lookup = SpecialTerritories.Find(country, input.ShipToPostalCode, input.ShipToCity);
        if (lookup.Shared is { } shared)
        {
            throw new JunipeerException(ErrorCodes.VatTerritoryAmbiguous,
                $"Ship-to {rawCountry} {input.ShipToPostalCode}: postcode {shared.Postcode} is used both by {shared.Territory.Name} (outside the EU VAT area) "
                + $"and by ordinary municipalities, and the address has no city to tell them apart. {shared.Why} Add the city (or the territory's own postcode) to the order's shipping address.");
        }

        var vatNumber = string.IsNullOrWhiteSpace(input.BuyerVatNumber) ? null : EuVat.NormalizeVatNumber(input.BuyerVatNumber, country);

        if (lookup.Territory is { } territory)
        {
            var export = settings.Export ?? throw Missing("export", rawCountry, "Vat.Export");
            return Decision(VatCase.Export, "export", export, export.CustomerClassId, vatNumber,
                $"ship-to {rawCountry} {input.ShipToPostalCode}: {territory.Name}, outside the EU VAT area ({territory.Legal}): export");
        }

        if (country == seller)
        {
            // A malformed VAT number does not change the case here: the seller's VAT applies either way.
            return Decision(VatCase.Domestic, "domestic", settings.Domestic, settings.Domestic.CustomerClassId, vatNumber,
                $"ship-to {rawCountry} is the seller country");
        }

        if (!EuVat.MemberStates.Contains(country))
        {
            // Export: zero-rated whoever buys, so the VAT number is not checked.
            var export = settings.Export ?? throw Missing("export", rawCountry, "Vat.Export");
            return Decision(VatCase.Export, "export", export, export.CustomerClassId, vatNumber, $"ship-to {rawCountry}: export");
        }

        var why = "consumer";
        if (input.IsBusiness && vatNumber is not null)
        {
            if (EuVat.HasValidFormat(vatNumber))
            {
                if (EuVat.CountryOfVatNumber(vatNumber) == seller)
                {
                    // Art. 138(1)(b): the exemption needs a buyer identified for VAT in a member state other than
                    // the one the goods are dispatched from. A buyer registered in the seller's country pays the
                    // seller's VAT: neither reverse charge nor OSS.
                    return Decision(VatCase.Domestic, "domestic", settings.Domestic, settings.Domestic.CustomerClassId, vatNumber,
                        $"business buyer in {country} with VAT number {vatNumber} of the dispatch country {seller}: seller-country VAT");
                }

                var rc = settings.EuB2BReverseCharge ?? throw Missing("EU B2B reverse charge", country, "Vat.EuB2BReverseCharge");
                return Decision(VatCase.EuB2BReverseCharge, "eu-b2b", rc, rc.CustomerClassId, vatNumber,
                    $"business buyer in {country} with VAT number {vatNumber}");
            }

            if (!settings.TreatInvalidVatNumberAsConsumer)
            {
                throw InvalidVatNumber(input.BuyerVatNumber!, vatNumber, country);
            }

            why = $"business buyer with the malformed VAT number {vatNumber}, treated as a consumer (Vat.TreatInvalidVatNumberAsConsumer)";
        }
        else if (input.IsBusiness)
        {
            why = "business buyer without a VAT number, treated as a consumer";
        }

        if (!settings.EuB2CDestinationVat)
        {
            return Decision(VatCase.EuB2CSellerCountry, "eu-b2c-seller", settings.Domestic,
                settings.EuB2CCustomerClassId ?? settings.Domestic.CustomerClassId, null,
                $"{why} in {country}; below the OSS threshold, seller-country VAT");
        }

        if (!settings.Countries.TryGetValue(country, out var destination))
        {
            throw Missing("EU B2C (OSS destination VAT)", country, $"Vat.Countries.{country}");
        }

        return Decision(VatCase.EuB2CDestination, country, destination, destination.CustomerClassId ?? settings.EuB2CCustomerClassId, null,
            $"{why} in {country}; destination VAT through OSS");
    }

    private static JunipeerException InvalidVatNumber(string raw, string normalized, string shipTo)
    {
        var named = EuVat.CountryOfVatNumber(normalized);
        var what = named is null
            ? $"its prefix '{(normalized.Length >= 2 ? normalized[..2] : normalized)}' is not an EU VAT prefix"
            : $"it does not have the format of a {named} VAT number ({EuVat.VatPrefix(named)} + the national digits)";
        return new JunipeerException(ErrorCodes.VatNumberInvalid,
            $"Business order shipping to {shipTo} has the VAT number '{raw.Trim()}' (normalised {normalized}), which is not valid: {what}. "
            + $"Correct the buyer's VAT number in the shop, or set Vat.TreatInvalidVatNumberAsConsumer to book such buyers as consumers.");
    }

    private static VatDecision Decision(VatCase vatCase, string key, VatMapping mapping, string? customerClass, string? vatNumber, string reason) =>
        new(vatCase, key, mapping, customerClass ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
            $"No customer class is configured for the VAT case {vatCase} (set CustomerClassId on its VAT mapping)."), vatNumber, reason);

    private static JunipeerException Missing(string vatCase, string country, string setting) =>
        new(ErrorCodes.OssCountryTaxMappingMissing,
            $"OSS country-to-tax mapping not configured: no taxZoneId/VAT categories for {country} ({vatCase}). Add {setting} to the integration's VAT settings.");
}
