using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Junipeer.Core.Vat;

namespace Junipeer.Core.Orders;

/// <summary>
/// Finds or creates the ERP customer for an order: the mapping cache first (no ERP call), then a
/// search by e-mail, then a create with the ERP's auto-numbering and the customer class of the VAT
/// case. With the SharedPerMarket strategy the customer comes from settings.
/// </summary>
public sealed class CustomerResolver(IMappingStore mappings)
{
    public async Task<string> ResolveAsync(Integration integration, IErpInvoicing erp, ShopOrder order, VatDecision vat, CancellationToken ct)
    {
        var settings = integration.Orders;
        if (settings.CustomerStrategy == CustomerStrategy.SharedPerMarket)
        {
            var country = order.ShippingAddress.CountryCode ?? "";
            if (order.MarketId is { } m && settings.SharedCustomers.TryGetValue(m, out var byMarket))
            {
                return byMarket;
            }

            return settings.SharedCustomers.TryGetValue(country, out var byCountry)
                ? byCountry
                : throw new JunipeerException(ErrorCodes.SharedCustomerNotConfigured,
                    $"No shared customer for market '{order.MarketId}' or country '{country}' in Orders.SharedCustomers.");
        }

        var email = (order.Customer.Email ?? order.BillingAddress.Email)?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(email))
        {
            var cached = await mappings.GetAsync(integration.Id, MappingKinds.CustomerByEmail, email, ct);
            if (cached is not null)
            {
                return cached;
            }

            var found = await erp.FindCustomerByEmailAsync(integration, email, ct);
            if (found is not null)
            {
                await mappings.SetAsync(integration.Id, MappingKinds.CustomerByEmail, email, found.Number, ct);
                return found.Number;
            }
        }

        var a = order.BillingAddress.CountryCode is null ? order.ShippingAddress : order.BillingAddress;
        var name = FirstNonEmpty(
            a.CompanyName,
            Join(order.Customer.FirstName, order.Customer.LastName),
            Join(a.FirstName, a.LastName),
            email,
            $"Order {order.OrderNumber}");
        var number = await erp.CreateCustomerAsync(integration, new ErpCustomerDraft
        {
            Name = name,
            Email = email,
            Phone = a.Phone,
            CustomerClassId = vat.CustomerClassId,
            VatZoneId = vat.Mapping.TaxZoneId,
            VatRegistrationId = vat.BuyerVatNumber,
            CurrencyId = order.Currency,
            AddressLine1 = a.Address1,
            AddressLine2 = a.Address2,
            PostalCode = a.ZipCode,
            City = a.City,
            CountryId = a.CountryCode,
            ExternalIdAttribute = settings.CustomerExternalIdAttribute,
            ExternalId = order.Customer.Id,
        }, ct);

        if (!string.IsNullOrEmpty(email))
        {
            await mappings.SetAsync(integration.Id, MappingKinds.CustomerByEmail, email, number, ct);
        }

        return number;
    }

    private static string? Join(string? a, string? b) =>
        string.Join(' ', new[] { a, b }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } s ? s : null;

    private static string FirstNonEmpty(params string?[] values) => values.First(v => !string.IsNullOrWhiteSpace(v))!;
}
