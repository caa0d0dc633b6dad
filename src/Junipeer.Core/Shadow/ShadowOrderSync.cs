using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Junipeer.Core.Vat;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Shadow;

/// <summary>
/// The orders flow in shadow mode: the same read, skip rules, VAT decision, mapping and validation
/// as <see cref="OrderSyncHandler"/>, against the live ERP through <see cref="ReadOnlyErp"/> (VAT
/// categories, invoice lookup by reference, customer lookup by buyer key and e-mail), ending in a
/// <see cref="ShadowRecord"/> instead of documents. No ledger row, no lease, no ERP or shop write.
/// Failures an operator must fix are recorded with code and fix; transient ones are rethrown so the
/// queue retries as in live mode.
/// </summary>
public sealed class ShadowOrderSync(
    IShopOrderSource shop,
    IErpResolver erps,
    IMappingStore mappings,
    IShadowLog log,
    TimeProvider time,
    ILogger<ShadowOrderSync> logger)
{
    public const string InvoiceDocument = "customerInvoice";

    public async Task<ShadowRecord> RunAsync(Integration integration, WorkItem item, CancellationToken ct)
    {
        var record = await DecideAsync(integration, item.EntityKey, ct);
        await log.SaveAsync(record, ct);
        logger.LogInformation("Shadow: order {OrderNumber} of {IntegrationId} {Outcome} {ErrorCode}", item.EntityKey, integration.Id, record.Outcome, record.ErrorCode);
        return record;
    }

    private async Task<ShadowRecord> DecideAsync(Integration integration, string orderNumber, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var basis = new ShadowRecord { IntegrationId = integration.Id, Flow = Flows.Orders, EntityKey = orderNumber, Outcome = ShadowOutcome.Failed, RecordedAt = now };
        ShopOrder? order = null;
        VatDecision? vat = null;
        try
        {
            order = await shop.GetOrderAsync(integration, orderNumber, ct)
                    ?? throw new JunipeerException(ErrorCodes.OrderNotFoundInShop, $"Centra has no order {orderNumber}.");
            basis = basis with { EntityDate = order.OrderDate, Currency = order.Currency, GrossTotal = order.GrandTotal, VatTotal = order.VatTotal };
            if (OrderSyncHandler.SkipReason(integration, order) is { } skip)
                return basis with { Outcome = ShadowOutcome.Skipped, SkipReason = skip };

            var erp = new ReadOnlyErp(erps.For(integration));
            vat = OrderSyncHandler.DecideVat(integration, order);
            basis = basis with { VatCase = vat.Case.ToString(), VatReason = vat.Reason, TaxZoneId = vat.Mapping.TaxZoneId };
            var categories = await erp.ReferenceData.GetVatCategoriesAsync(integration, ct);
            var draft = InvoiceMapper.Map(order, vat, categories, integration.Orders, "?");
            basis = basis with
            {
                DocumentType = InvoiceDocument,
                Reference = draft.Reference,
                DocumentDate = draft.DocumentDate,
                Currency = draft.CurrencyId,
                TaxZoneId = draft.VatZoneId,
                NetTotal = draft.ExpectedNetTotal,
                VatTotal = draft.ExpectedVatTotal,
                GrossTotal = draft.ExpectedNetTotal + draft.ExpectedVatTotal,
                Lines = draft.Lines.Select(l => new ShadowLine(l.ArticleNumber, l.Description, l.Quantity, l.UnitPrice, l.DiscountAmount, l.Amount, l.VatCategoryId)).ToList(),
                VatCategories = draft.Lines.Select(l => l.VatCategoryId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                GiftPayment = integration.Orders.GiftCertificatePayment is not null && integration.Orders.ReleaseInvoices ? order.GiftCertificateTotal : 0m,
            };

            // Booked already (by a live run, an older tool, by hand): a live run would adopt it, not book again.
            foreach (var reference in integration.Orders.ReferencesFor(order.OrderNumber))
            {
                var found = await erp.Invoices.FindInvoicesByReferenceAsync(integration, reference, ct);
                if (found.Count > 1)
                    throw new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder, $"{found.Count} invoices carry reference {reference}: {string.Join(", ", found.Select(f => f.Number))}.");
                if (found.Count == 1)
                    return basis with { Outcome = ShadowOutcome.AlreadyBooked, ExistingDocument = found[0].Number, Reference = reference };
            }

            return await CustomerAsync(integration, erp, order, vat, basis with { Outcome = ShadowOutcome.WouldBook }, ct);
        }
        catch (JunipeerException ex) when (!ex.Retryable)
        {
            return basis with
            {
                Outcome = ShadowOutcome.Failed,
                ErrorCode = ex.Code,
                Message = ex.Message,
                Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix,
            };
        }
    }

    private async Task<ShadowRecord> CustomerAsync(Integration integration, ReadOnlyErp erp, ShopOrder order, VatDecision vat, ShadowRecord record, CancellationToken ct)
    {
        if (integration.Orders.CustomerStrategy == CustomerStrategy.SharedPerMarket)
            return record with { CustomerAction = ShadowCustomerAction.Shared, CustomerNumber = CustomerResolver.SharedCustomer(integration.Orders, order) };

        var email = CustomerResolver.Email(order);
        var buyer = CustomerResolver.BuyerKey(order);
        var cached = await mappings.GetAsync(integration.Id, MappingKinds.CustomerByBuyer, buyer, ct)
                     ?? (email is null ? null : await mappings.GetAsync(integration.Id, MappingKinds.CustomerByEmail, email, ct));
        if (cached is not null)
            return record with { CustomerAction = ShadowCustomerAction.Found, CustomerNumber = cached };

        var byKey = await erp.Customers.FindCustomersByKeyAsync(integration, CustomerResolver.LookupKey(buyer), ct);
        if (byKey.Count > 1)
            throw new JunipeerException(ErrorCodes.DuplicateCustomerForBuyer,
                $"{byKey.Count} Visma.net customers carry the buyer key {CustomerResolver.LookupKey(buyer)}: {string.Join(", ", byKey.Select(c => c.Number))}.");
        var found = byKey.Count == 1 ? byKey[0] : email is null ? null : await erp.Customers.FindCustomerByEmailAsync(integration, email, ct);
        if (found is not null)
            return record with { CustomerAction = ShadowCustomerAction.Found, CustomerNumber = found.Number, CustomerName = found.Name };

        var draft = CustomerResolver.Draft(integration, order, vat, email, CustomerResolver.LookupKey(buyer));
        return record with { CustomerAction = ShadowCustomerAction.Create, CustomerName = draft.Name, CustomerClassId = draft.CustomerClassId };
    }
}
