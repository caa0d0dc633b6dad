using System.Security.Cryptography;
using System.Text;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Junipeer.Core.Vat;

namespace Junipeer.Core.Orders;

/// <summary>Phases of the per-buyer customer row (flow "customers").</summary>
public enum CustomerPhase
{
    New,
    CreateAttempted,
}

/// <summary>
/// Finds or creates the ERP customer for an order, one customer per buyer even under concurrency:
/// the mapping cache first (no ERP call); then the buyer's own ledger row (flow "customers", key =
/// the buyer), whose lease makes a second order of the same new buyer wait instead of creating a
/// second customer. Before the first create the ERP is asked (by the buyer's deterministic key,
/// then by e-mail): the ERP is the truth, also after storage was lost. The create writes the key
/// into the customer (attribute when configured, else corporateId), so a create whose response was
/// lost resolves by that key — also for a buyer without an e-mail. With the SharedPerMarket strategy
/// the customer comes from settings.
/// </summary>
public sealed class CustomerResolver(IMappingStore mappings, ExactlyOnce exactlyOnce)
{
    /// <summary>Document step of the customer in the buyer's row and in the order's row.</summary>
    public const string Step = "customer";

    public async Task<string> ResolveAsync(
        Integration integration,
        IErpCustomers erp,
        ShopOrder order,
        VatDecision vat,
        string owner,
        string? correlationId,
        TimeSpan hold,
        CancellationToken ct)
    {
        var settings = integration.Orders;
        if (settings.CustomerStrategy == CustomerStrategy.SharedPerMarket)
            return SharedCustomer(settings, order);

        var email = Email(order);
        var buyer = BuyerKey(order);
        var cached = await mappings.GetAsync(integration.Id, MappingKinds.CustomerByBuyer, buyer, ct)
                     ?? (email is null ? null : await mappings.GetAsync(integration.Id, MappingKinds.CustomerByEmail, email, ct));
        if (cached is not null)
            return cached;

        var work = await exactlyOnce.OpenAsync<CustomerPhase>(new LedgerKey(integration.Id, Flows.Customers, buyer), owner, correlationId, hold, ct);
        if (work.Document(Step) is { } known)
        {
            await mappings.SetAsync(integration.Id, MappingKinds.CustomerByBuyer, buyer, known, ct);
            return known;
        }

        if (work.HeldByOther)
            throw new LeaseHeldException(work.Key, work.Entry.LeaseUntil);

        var lookupKey = LookupKey(buyer);
        CreateOutcome outcome;
        try
        {
            outcome = await work.CreateOnceAsync(
            Step,
            CustomerPhase.CreateAttempted,
            findExisting: async () =>
            {
                var byKey = (await erp.FindCustomersByKeyAsync(integration, lookupKey, ct)).Select(c => c.Number).Distinct(StringComparer.Ordinal).ToList();
                if (byKey.Count > 0 || email is null)
                    return byKey;
                var byEmail = await erp.FindCustomerByEmailAsync(integration, email, ct);
                return byEmail is null ? [] : [byEmail.Number];
            },
            create: () => erp.CreateCustomerAsync(integration, Draft(integration, order, vat, email, lookupKey), ct),
            duplicates: found => new JunipeerException(ErrorCodes.DuplicateCustomerForBuyer,
                $"{found.Count} Visma.net customers carry the buyer key {lookupKey} of {Describe(order, email)}: {string.Join(", ", found)}."),
            ct,
            // Always ask the ERP before the first create of a buyer: a new customer costs that one read.
            precheck: () => Task.FromResult<IReadOnlyList<string>?>(null));
        }
        catch (Exception ex) when (ex is not LeaseHeldException and not LeaseLostException)
        {
            // Give the buyer's row back (phase kept: a create that may have happened is looked up by
            // the buyer key next time), so the order's retry — or the buyer's next order — can go on.
            await work.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ErpUnavailable, ex.Message, CancellationToken.None);
            throw;
        }

        await work.CompleteAsync(LedgerStatus.Done, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.CustomerByBuyer, buyer, outcome.Id, ct);
        return outcome.Id;
    }

    /// <summary>
    /// The buyer an order belongs to: the e-mail (one customer per e-mail, as before), else the shop's
    /// customer id, else — a guest without either — the order itself.
    /// </summary>
    public static string BuyerKey(ShopOrder order) =>
        Email(order) is { } email ? "e:" + email
        : !string.IsNullOrWhiteSpace(order.Customer.Id) ? "c:" + order.Customer.Id.Trim()
        : "o:" + order.OrderNumber;

    /// <summary>
    /// The short deterministic key stored on the ERP customer (≤ 19 characters, so it fits
    /// corporateId): "JP" + the first 17 hex digits of SHA-256 of the buyer key.
    /// </summary>
    public static string LookupKey(string buyerKey) =>
        "JP" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(buyerKey)))[..17];

    internal static string? Email(ShopOrder order) =>
        (order.Customer.Email ?? order.BillingAddress.Email)?.Trim().ToLowerInvariant() is { Length: > 0 } e ? e : null;

    internal static string SharedCustomer(OrderFlowSettings settings, ShopOrder order)
    {
        var country = order.ShippingAddress.CountryCode ?? "";
        if (order.MarketId is { } m && settings.SharedCustomers.TryGetValue(m, out var byMarket))
            return byMarket;
        return settings.SharedCustomers.TryGetValue(country, out var byCountry)
            ? byCountry
            : throw new JunipeerException(ErrorCodes.SharedCustomerNotConfigured,
                $"No shared customer for market '{order.MarketId}' or country '{country}' in Orders.SharedCustomers.");
    }

    internal static ErpCustomerDraft Draft(Integration integration, ShopOrder order, VatDecision vat, string? email, string lookupKey)
    {
        var a = order.BillingAddress.CountryCode is null ? order.ShippingAddress : order.BillingAddress;
        var name = FirstNonEmpty(
            a.CompanyName,
            Join(order.Customer.FirstName, order.Customer.LastName),
            Join(a.FirstName, a.LastName),
            email,
            $"Order {order.OrderNumber}");
        return new ErpCustomerDraft
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
            ExternalIdAttribute = integration.Orders.CustomerExternalIdAttribute,
            ExternalId = order.Customer.Id,
            LookupKey = lookupKey,
        };
    }

    private static string Describe(ShopOrder order, string? email) => email is null ? $"order {order.OrderNumber}" : email;

    private static string? Join(string? a, string? b) =>
        string.Join(' ', new[] { a, b }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } s ? s : null;

    private static string FirstNonEmpty(params string?[] values) => values.First(v => !string.IsNullOrWhiteSpace(v))!;
}
