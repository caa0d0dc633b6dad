using System.Diagnostics;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shop;
using Junipeer.Core.Vat;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Bench;

/// <summary>
/// The baseline: what a straightforward integration does for each order, one at a time, against the
/// same Sandbox with the same connector (so the HTTP plumbing and contracts are identical and only
/// the call pattern differs): search the customer by e-mail, create it if missing, search the invoice
/// by reference (the duplicate guard), create it, read it back, release it. No ledger, no index, no
/// cache beyond the VAT categories (which a straightforward integration would hard-code).
/// </summary>
public static class NaiveClient
{
    public sealed record Result(double Seconds, int Orders, int Invoiced);

    public static async Task<Result> RunAsync(IServiceProvider services, Integration integration, IEnumerable<string> orderNumbers, CancellationToken ct)
    {
        var shop = services.GetRequiredService<IShopOrderSource>();
        var erp = services.GetRequiredService<IErpResolver>().For(integration);
        var categories = await erp.ReferenceData.GetVatCategoriesAsync(integration, ct);
        var clock = Stopwatch.StartNew();
        var orders = 0;
        var invoiced = 0;
        foreach (var number in orderNumbers)
        {
            orders++;
            var order = await shop.GetOrderAsync(integration, number, ct) ?? throw new InvalidOperationException($"no order {number}");
            var a = order.BillingAddress.CountryCode is null ? order.ShippingAddress : order.BillingAddress;
            var vat = VatEngine.Decide(integration.Vat, new VatInput(
                order.ShippingAddress.CountryCode ?? order.BillingAddress.CountryCode ?? "",
                order.ShippingAddress.ZipCode,
                order.IsWholesale || !string.IsNullOrWhiteSpace(order.BillingAddress.CompanyName) || !string.IsNullOrWhiteSpace(order.BillingAddress.VatNumber),
                order.BillingAddress.VatNumber ?? order.ShippingAddress.VatNumber,
                order.ShippingAddress.City));
            var email = order.Customer.Email ?? a.Email ?? $"order{number}@example.invalid";

            // 1. search customer, 2. create it when missing
            var customer = (await erp.Customers.FindCustomerByEmailAsync(integration, email, ct))?.Number
                           ?? await erp.Customers.CreateCustomerAsync(integration, new ErpCustomerDraft
                           {
                               Name = string.Join(' ', new[] { a.FirstName, a.LastName }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } n ? n : email,
                               Email = email,
                               CustomerClassId = vat.CustomerClassId,
                               VatZoneId = vat.Mapping.TaxZoneId,
                               VatRegistrationId = vat.BuyerVatNumber,
                               CurrencyId = order.Currency,
                               AddressLine1 = a.Address1,
                               PostalCode = a.ZipCode,
                               City = a.City,
                               CountryId = a.CountryCode,
                           }, ct);

            // 3. search invoice by reference (duplicate guard), 4. create, 5. read back, 6. release
            var draft = InvoiceMapper.Map(order, vat, categories, integration.Orders, customer);
            if ((await erp.Invoices.FindInvoicesByReferenceAsync(integration, draft.Reference, ct)).Count > 0)
                continue;
            var invoice = await erp.Invoices.CreateInvoiceAsync(integration, draft, ct);
            _ = await erp.Invoices.GetInvoiceAsync(integration, invoice, ct);
            await erp.Invoices.ReleaseInvoiceAsync(integration, invoice, ct);
            invoiced++;
        }

        return new Result(clock.Elapsed.TotalSeconds, orders, invoiced);
    }
}
