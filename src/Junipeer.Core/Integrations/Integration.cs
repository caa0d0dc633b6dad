using System.Text.RegularExpressions;

namespace Junipeer.Core.Integrations;

/// <summary>
/// One integration = one shop connected to one ERP company. Several integrations per tenant
/// (deployment). Stored as JSON in the Integrations table; secrets are referenced by name only.
/// </summary>
public sealed partial record Integration
{
    public required string Id { get; init; }
    public string Name { get; init; } = "";
    public required ErpSettings Erp { get; init; }
    public required ShopSettings Shop { get; init; }
    public OrderFlowSettings Orders { get; init; } = new();
    public required VatSettings Vat { get; init; }
    public Junipeer.Core.Payouts.PayoutFlowSettings Payouts { get; init; } = new();

    /// <summary>False after `junipeer integration disable`: every flow of the integration is off (its settings are kept).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>This integration with every flow switched off (settings otherwise kept): `junipeer integration disable`.</summary>
    public Integration Disable() => this with
    {
        Enabled = false,
        Orders = Orders with { Enabled = false },
        Stock = Stock with { Enabled = false },
        Products = Products with { Direction = ProductDirection.Off },
        Shipments = Shipments with { Enabled = false },
        Payouts = Payouts with { Enabled = false },
    };

    /// <summary>Integration ids become part of table keys and URLs: lower-case letters, digits, hyphens.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")]
    private static partial Regex IdPattern();
}

public static class ErpKinds
{
    public const string VismaNet = "VismaNet";
    public const string Fortnox = "Fortnox";
}

public sealed record ErpSettings
{
    public string Kind { get; init; } = ErpKinds.VismaNet;
    public VismaNetSettings? VismaNet { get; init; }
}

public sealed record VismaNetSettings
{
    /// <summary>The Visma Connect *company* tenant id (GUID), not the customer tenant id.</summary>
    public required string CompanyTenantId { get; init; }
    public required string ClientId { get; init; }

    /// <summary>Name of the secret holding the client secret (resolved through ISecretResolver).</summary>
    public required string ClientSecretName { get; init; }

    /// <summary>Override of Junipeer:VismaNet:ApiBaseUrl for this integration (sandbox, tests).</summary>
    public string? ApiBaseUrl { get; init; }

    /// <summary>Override of Junipeer:VismaNet:TokenUrl for this integration.</summary>
    public string? TokenUrl { get; init; }

    /// <summary>
    /// How the integration authenticates at Visma Connect: Service (client credentials + CompanyTenantId,
    /// the default) or Interactive (an admin signs in through GET /api/connect/vismanet/{id}; the company
    /// chosen there becomes CompanyTenantId, and refresh tokens keep it connected).
    /// </summary>
    public VismaAuthMode Auth { get; init; } = VismaAuthMode.Service;

    /// <summary>Which Visma environment this integration talks to: Production (default) or Test (Junipeer:VismaNet:Test* URLs).</summary>
    public VismaEnvironment Environment { get; init; } = VismaEnvironment.Production;

    /// <summary>Override of the Visma Connect authorize URL for this integration (Interactive).</summary>
    public string? AuthorizeUrl { get; init; }
}

public enum VismaAuthMode
{
    Service,
    Interactive,
}

public enum VismaEnvironment
{
    Production,
    Test,
}

public sealed record ShopSettings
{
    public string Kind { get; init; } = "Centra";
    public CentraSettings? Centra { get; init; }
}

public sealed record CentraSettings
{
    /// <summary>The Integration API endpoint, e.g. https://acme.centra.com/graphql.</summary>
    public required string GraphQlUrl { get; init; }
    public required string TokenSecretName { get; init; }
    public required string WebhookSecretName { get; init; }

    /// <summary>The previous webhook secret, accepted during rotation.</summary>
    public string? PreviousWebhookSecretName { get; init; }

    /// <summary>
    /// Which orders of the Centra store belong to this integration. Needed when several integrations
    /// (companies) share one Centra store: each must own a disjoint part (validated at save). Null: all orders.
    /// </summary>
    public OrderOwnershipFilter? OrderFilter { get; init; }
}

/// <summary>
/// Ownership filter on Centra orders. Each non-empty list must contain the order's value; an empty or
/// absent list does not restrict. Values are compared as Centra reports them: store and market ids
/// (<c>store.id</c>, <c>market.id</c>), and the shipping country's ISO alpha-2 code
/// (<c>shippingAddress.country.code</c>), case-insensitive.
/// </summary>
public sealed record OrderOwnershipFilter
{
    public IReadOnlyList<string> StoreIds { get; init; } = [];
    public IReadOnlyList<string> MarketIds { get; init; } = [];
    public IReadOnlyList<string> Countries { get; init; } = [];

    /// <summary>True when at least one list restricts.</summary>
    public bool Restricts() => StoreIds.Count > 0 || MarketIds.Count > 0 || Countries.Count > 0;
}

public enum CustomerStrategy
{
    /// <summary>One ERP customer per buyer, matched by e-mail.</summary>
    PerBuyer,

    /// <summary>One shared ERP customer per market (or per country).</summary>
    SharedPerMarket,
}

public sealed record OrderFlowSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Release (book) invoices after creating them. Off leaves them Balanced for review.</summary>
    public bool ReleaseInvoices { get; init; } = true;

    /// <summary>Shop order statuses that become invoices; others are skipped (and picked up when they change).</summary>
    public IReadOnlyList<string> StatusesToSync { get; init; } = ["CONFIRMED", "PROCESSING", "SHIPPED", "ARCHIVED"];

    /// <summary>Order exclusion date: older orders never sync. Also the sweep's first checkpoint.</summary>
    public DateTimeOffset? SyncFrom { get; init; }

    public CustomerStrategy CustomerStrategy { get; init; } = CustomerStrategy.PerBuyer;

    /// <summary>SharedPerMarket: market id or country code → ERP customer number.</summary>
    public IReadOnlyDictionary<string, string> SharedCustomers { get; init; } = new Dictionary<string, string>();

    /// <summary>ERP attribute that stores the shop customer id on created customers (optional).</summary>
    public string? CustomerExternalIdAttribute { get; init; }

    /// <summary>Non-stock article used for the shipping line.</summary>
    public string ShippingArticle { get; init; } = "SHIPPING";

    /// <summary>Non-stock article used for order-level discounts and vouchers.</summary>
    public string DiscountArticle { get; init; } = "DISCOUNT";

    /// <summary>Prefix of the invoice reference; reference = prefix + order number.</summary>
    public string ReferencePrefix { get; init; } = "CENTRA-";

    /// <summary>
    /// Prefixes this integration used before (kept automatically when the prefix changes): an order
    /// with no attempt on record is also looked up under them, so a changed prefix plus a lost ledger
    /// never invoices an order twice.
    /// </summary>
    public IReadOnlyList<string> PreviousReferencePrefixes { get; init; } = [];

    /// <summary>Every reference an order's invoice may carry: today's first, then the previous prefixes'.</summary>
    public IReadOnlyList<string> ReferencesFor(string orderNumber) =>
        [ReferencePrefix + orderNumber, .. PreviousReferencePrefixes.Where(p => !string.Equals(p, ReferencePrefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Select(p => p + orderNumber)];

    /// <summary>How far back the sweep re-reads before its checkpoint (clock skew, late commits).</summary>
    public int SweepOverlapMinutes { get; init; } = 10;

    /// <summary>
    /// Book the part of an order paid with gift certificates as a customer payment against the
    /// released invoice (so its open balance is what the PSP pays out). Null: the amount is only
    /// written in the invoice note and the ledger facts.
    /// </summary>
    public GiftCertificatePaymentSettings? GiftCertificatePayment { get; init; }
}

/// <summary>How gift-certificate payments are booked in the ERP.</summary>
public sealed record GiftCertificatePaymentSettings
{
    /// <summary>ERP payment method of the gift-certificate payment (e.g. GIFTCARD).</summary>
    public required string PaymentMethodId { get; init; }

    /// <summary>ERP cash account the payment is booked on: the gift-card liability account (e.g. 2420).</summary>
    public required string CashAccount { get; init; }
}

public enum VatCase
{
    Domestic,
    EuB2CDestination,
    EuB2CSellerCountry,
    EuB2BReverseCharge,
    Export,
}

/// <summary>Visma.net VAT set-up for one VAT case or one destination country.</summary>
public sealed record VatMapping
{
    public required string TaxZoneId { get; init; }

    /// <summary>Customer class for customers created in this case (falls back to the case default).</summary>
    public string? CustomerClassId { get; init; }

    /// <summary>VAT rate (invariant text, e.g. "25", "25.5", "0") → Visma.net VAT category id.</summary>
    public required IReadOnlyDictionary<string, string> VatCategoryByRate { get; init; }

    public static VatMapping Of(string taxZoneId, string? customerClassId, params (string Rate, string Category)[] categories) => new()
    {
        TaxZoneId = taxZoneId,
        CustomerClassId = customerClassId,
        VatCategoryByRate = categories.ToDictionary(c => c.Rate, c => c.Category),
    };
}

public sealed record VatSettings
{
    /// <summary>Country the goods ship from / the seller is established in (ISO alpha-2).</summary>
    public required string SellerCountry { get; init; }

    /// <summary>
    /// True once EU B2C distance sales crossed the EUR 10,000 threshold (or the seller opted in):
    /// charge destination VAT through OSS. False: charge the seller country's VAT.
    /// </summary>
    public bool EuB2CDestinationVat { get; init; } = true;

    public required VatMapping Domestic { get; init; }
    public VatMapping? EuB2BReverseCharge { get; init; }
    public VatMapping? Export { get; init; }

    /// <summary>Default customer class for EU B2C (OSS) customers.</summary>
    public string? EuB2CCustomerClassId { get; init; }

    /// <summary>EU B2C destination countries (OSS): country code → zone + categories.</summary>
    public IReadOnlyDictionary<string, VatMapping> Countries { get; init; } = new Dictionary<string, VatMapping>();

    /// <summary>
    /// False (default): a business order to another EU member state whose VAT number is malformed fails
    /// with VAT_NUMBER_INVALID. True: such a buyer is booked as a consumer (EU B2C).
    /// </summary>
    public bool TreatInvalidVatNumberAsConsumer { get; init; }

    /// <summary>
    /// The countries the shop sells to (ISO alpha-2). Preflight checks that each EU destination among
    /// them has an OSS mapping in Countries; empty: preflight cannot tell which mappings are missing.
    /// </summary>
    public IReadOnlyList<string> SellsTo { get; init; } = [];
}
