using System.Globalization;
using System.Text.RegularExpressions;
using Junipeer.Core.Errors;

namespace Junipeer.Core.Integrations;

/// <summary>
/// Checks integration settings before they are stored, so a mistake surfaces when it is made and
/// not on the first order. Secret names must be letters and digits only: they become app settings
/// <c>Secrets__&lt;name&gt;</c> (Linux app settings reject hyphens) and Key Vault secret names
/// (which reject underscores). Secret names are scoped to their integration (see
/// <see cref="SecretScope"/>) and vendor URLs must be https on the vendor's hosts (see
/// <see cref="IntegrationRules"/>).
/// </summary>
public static partial class IntegrationValidator
{
    public static IReadOnlyList<string> Problems(Integration i) => Problems(i, IntegrationRules.Default);

    public static IReadOnlyList<string> Problems(Integration i, IntegrationRules rules) => Check(i, rules).Select(x => x.Text).ToList();

    private static List<(string Code, string Text)> Check(Integration i, IntegrationRules rules)
    {
        var scoped = new ScopedProblems(i.Id, rules);
        var p = scoped.Generic;
        if (!Integration.IsValidId(i.Id))
        {
            p.Add($"Id '{i.Id}': use 3-40 lower-case letters, digits and hyphens.");
        }

        if (i.Erp.Kind == ErpKinds.VismaNet)
        {
            if (i.Erp.VismaNet is not { } v)
            {
                p.Add("Erp.VismaNet is required when Erp.Kind is VismaNet.");
            }
            else
            {
                if (v.Auth == VismaAuthMode.Interactive && string.IsNullOrEmpty(v.CompanyTenantId))
                {
                    // Not connected yet: the interactive connect binds the company.
                }
                else if (!Guid.TryParse(v.CompanyTenantId, out _))
                {
                    p.Add("Erp.VismaNet.CompanyTenantId must be the company tenant GUID (Visma Admin → Company → Tenant id).");
                }

                Required(p, "Erp.VismaNet.ClientId", v.ClientId);
                scoped.Secret("Erp.VismaNet.ClientSecretName", v.ClientSecretName);
                scoped.Url("Erp.VismaNet.ApiBaseUrl", v.ApiBaseUrl, optional: true, VendorHosts.VismaApi);
                scoped.Url("Erp.VismaNet.TokenUrl", v.TokenUrl, optional: true, VendorHosts.VismaConnect);
                scoped.Url("Erp.VismaNet.AuthorizeUrl", v.AuthorizeUrl, optional: true, VendorHosts.VismaConnect);
                VismaEnvironmentProblems(v, rules, scoped);
            }
        }
        else
        {
            p.Add($"Erp.Kind '{i.Erp.Kind}' is not supported yet (VismaNet).");
        }

        if (i.Shop.Centra is not { } c)
        {
            p.Add("Shop.Centra is required.");
        }
        else
        {
            scoped.Url("Shop.Centra.GraphQlUrl", c.GraphQlUrl, optional: false, VendorHosts.Centra);
            scoped.Secret("Shop.Centra.TokenSecretName", c.TokenSecretName);
            scoped.Secret("Shop.Centra.WebhookSecretName", c.WebhookSecretName);
            if (c.PreviousWebhookSecretName is not null)
            {
                scoped.Secret("Shop.Centra.PreviousWebhookSecretName", c.PreviousWebhookSecretName);
            }

            OwnershipFilter(p, c.OrderFilter);
        }

        if (!CountryCode().IsMatch(i.Vat.SellerCountry ?? ""))
        {
            p.Add("Vat.SellerCountry must be an upper-case ISO country code such as SE.");
        }

        Mapping(p, "Vat.Domestic", i.Vat.Domestic);
        if (i.Vat.EuB2BReverseCharge is { } rc)
        {
            Mapping(p, "Vat.EuB2BReverseCharge", rc);
        }

        if (i.Vat.Export is { } ex)
        {
            Mapping(p, "Vat.Export", ex);
        }

        foreach (var country in i.Vat.SellsTo.Where(c => !CountryCode().IsMatch(c ?? "")))
        {
            p.Add($"Vat.SellsTo entry '{country}' must be an upper-case ISO country code such as DE.");
        }

        foreach (var (country, m) in i.Vat.Countries)
        {
            if (!CountryCode().IsMatch(country))
            {
                p.Add($"Vat.Countries key '{country}' must be an upper-case ISO country code (XI for Northern Ireland).");
            }

            Mapping(p, $"Vat.Countries.{country}", m);
        }

        if (i.Orders.CustomerStrategy == CustomerStrategy.SharedPerMarket && i.Orders.SharedCustomers.Count == 0)
        {
            p.Add("Orders.SharedCustomers needs at least one market or country when CustomerStrategy is SharedPerMarket.");
        }

        Required(p, "Orders.ShippingArticle", i.Orders.ShippingArticle);
        Required(p, "Orders.DiscountArticle", i.Orders.DiscountArticle);
        if (i.Orders.GiftCertificatePayment is { } gift)
        {
            Required(p, "Orders.GiftCertificatePayment.PaymentMethodId", gift.PaymentMethodId);
            Required(p, "Orders.GiftCertificatePayment.CashAccount", gift.CashAccount);
        }

        CatalogueProblems(i, p, scoped);
        ShipmentSettingsProblems(p, scoped, i.Shipments);
        PayoutSettingsProblems(p, scoped, i.Payouts);
        ModeProblems(i, p);
        return scoped.All();
    }

    /// <summary>
    /// Throws listing every problem: INTEGRATION_SETTINGS_INVALID when any setting is missing or
    /// malformed, else INTEGRATION_URL_NOT_ALLOWED or INTEGRATION_SECRET_NOT_SCOPED.
    /// </summary>
    /// <summary>
    /// Erp.VismaNet.Environment: Production or Test. A Test integration without its own API URL uses the
    /// deployment's Junipeer:VismaNet:TestApiBaseUrl, which must then be set; the deployment's test URLs it
    /// uses are held to the same rules as the integration's own overrides (https on a Visma host, loopback
    /// only with the development switch), so switching to Test cannot send credentials elsewhere.
    /// </summary>
    private static void VismaEnvironmentProblems(VismaNetSettings v, IntegrationRules rules, ScopedProblems scoped)
    {
        if (!Enum.IsDefined(v.Environment))
        {
            scoped.Generic.Add($"Erp.VismaNet.Environment '{v.Environment}' must be Production or Test.");
            return;
        }

        if (v.Environment != VismaEnvironment.Test)
            return;
        if (string.IsNullOrWhiteSpace(v.ApiBaseUrl))
        {
            if (rules.VismaTestApiBaseUrl is null)
                scoped.Generic.Add("Erp.VismaNet.Environment is Test but neither the deployment's Junipeer__VismaNet__TestApiBaseUrl nor Erp.VismaNet.ApiBaseUrl is set.");
            else
                scoped.Url("Junipeer:VismaNet:TestApiBaseUrl", rules.VismaTestApiBaseUrl, optional: false, VendorHosts.VismaApi);
        }

        if (string.IsNullOrWhiteSpace(v.TokenUrl) && rules.VismaTestTokenUrl is { } token)
            scoped.Url("Junipeer:VismaNet:TestTokenUrl", token, optional: false, VendorHosts.VismaConnect);
        if (string.IsNullOrWhiteSpace(v.AuthorizeUrl) && rules.VismaTestAuthorizeUrl is { } authorize)
            scoped.Url("Junipeer:VismaNet:TestAuthorizeUrl", authorize, optional: false, VendorHosts.VismaConnect);
    }

    public static void EnsureValid(Integration i) => EnsureValid(i, IntegrationRules.Default);

    public static void EnsureValid(Integration i, IntegrationRules rules)
    {
        var problems = Check(i, rules);
        if (problems.Count > 0)
        {
            var code = problems.Any(x => x.Code == ErrorCodes.IntegrationSettingsInvalid) ? ErrorCodes.IntegrationSettingsInvalid : problems[0].Code;
            throw new JunipeerException(code, $"Integration '{i.Id}' settings are invalid: " + string.Join(" ", problems.Select(x => x.Text)));
        }
    }

    public static bool IsValidSecretName(string? name) => name is not null && SecretName().IsMatch(name);

    /// <summary>
    /// The secret namespace of an integration: its id's letters and digits (acme-se → acmese). Every
    /// secret name of the integration starts with it and is longer, so whoever writes one
    /// integration's settings cannot point it at another integration's secrets.
    /// </summary>
    public static string SecretScope(string integrationId) => new((integrationId ?? "").Where(char.IsAsciiLetterOrDigit).ToArray());

    public static bool IsInScope(string secretName, string scope) =>
        scope.Length > 0 && secretName.Length > scope.Length && secretName.StartsWith(scope, StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<string> SecretNames(Integration i) =>
        new[]
        {
            i.Erp.VismaNet?.ClientSecretName, i.Shop.Centra?.TokenSecretName, i.Shop.Centra?.WebhookSecretName, i.Shop.Centra?.PreviousWebhookSecretName,
            i.Shipments.WebhookSecretName, i.Shipments.PreviousWebhookSecretName, i.Shipments.NShift?.ApiKeySecretName,
            i.Stock.WebhookSecretName, i.Stock.PreviousWebhookSecretName,
        }
            .Concat(i.Payouts.Providers.Values.SelectMany(s => new[] { s?.ApiKeySecretName, s?.WebhookSecretName }))
            .OfType<string>();

    /// <summary>
    /// Scopes nest (integration ab's namespace contains abc's), so a secret belongs to the integration
    /// with the longest scope it starts with. Throws INTEGRATION_SECRET_NOT_SCOPED when <paramref name="candidate"/>
    /// names a secret in another integration's at-least-as-specific scope, or another integration
    /// names one in the candidate's.
    /// </summary>
    public static void EnsureNoScopeConflict(Integration candidate, IEnumerable<Integration> others)
    {
        var mine = SecretScope(candidate.Id);
        var problems = new List<string>();
        foreach (var other in others.Where(o => o.Id != candidate.Id))
        {
            var theirs = SecretScope(other.Id);
            problems.AddRange(SecretNames(candidate).Where(n => theirs.Length >= mine.Length && IsInScope(n, theirs))
                .Select(n => $"Secret '{n}' lies in the namespace of integration '{other.Id}' ('{theirs}...')."));
            problems.AddRange(SecretNames(other).Where(n => mine.Length >= theirs.Length && IsInScope(n, mine))
                .Select(n => $"Integration '{other.Id}' uses secret '{n}', which lies in this integration's namespace ('{mine}...'); choose another id."));
        }

        if (problems.Count > 0)
        {
            throw new JunipeerException(ErrorCodes.IntegrationSecretNotScoped, $"Integration '{candidate.Id}' settings are invalid: " + string.Join(" ", problems.Distinct()));
        }
    }

    /// <summary>
    /// Several integrations on one Centra store (same GraphQL URL): each must say which orders are its own
    /// (Shop.Centra.OrderFilter) and no order may match two of them, or both would invoice it. Checked
    /// against the stored integrations whenever one is saved (`integration add`).
    /// </summary>
    public static IReadOnlyList<string> OwnershipProblems(Integration candidate, IEnumerable<Integration> stored)
    {
        var p = new List<string>();
        if (candidate.Shop.Centra is not { } mine)
        {
            return p;
        }

        foreach (var other in stored)
        {
            if (other.Id == candidate.Id || other.Shop.Centra is not { } theirs || !SameEndpoint(mine.GraphQlUrl, theirs.GraphQlUrl))
            {
                continue;
            }

            if (mine.OrderFilter?.Restricts() != true || theirs.OrderFilter?.Restricts() != true)
            {
                p.Add($"Integration '{other.Id}' uses the same Centra store ({mine.GraphQlUrl}); both need Shop.Centra.OrderFilter (StoreIds, MarketIds or Countries) so each order belongs to one of them.");
            }
            else if (Orders.OrderOwnership.Overlaps(mine.OrderFilter, theirs.OrderFilter))
            {
                p.Add($"Shop.Centra.OrderFilter overlaps integration '{other.Id}' on the same Centra store ({mine.GraphQlUrl}): some orders would match both; make the store ids, market ids or countries disjoint.");
            }
        }

        return p;
    }

    /// <summary>
    /// Invoices are found again by their reference (Orders.ReferencePrefix + order number) across the
    /// whole ERP company. Two integrations booking into the same company with the same prefix would
    /// adopt each other's invoices, so that is refused with INTEGRATION_REFERENCE_PREFIX_CONFLICT.
    /// </summary>
    public static void EnsureDistinctReferences(Integration candidate, IEnumerable<Integration> stored)
    {
        var company = candidate.Erp.VismaNet?.CompanyTenantId;
        if (company is null)
        {
            return;
        }

        var clash = stored.FirstOrDefault(o => o.Id != candidate.Id
            && string.Equals(o.Erp.VismaNet?.CompanyTenantId, company, StringComparison.OrdinalIgnoreCase)
            && o.Orders.PreviousReferencePrefixes.Append(o.Orders.ReferencePrefix).Any(theirs =>
                candidate.Orders.PreviousReferencePrefixes.Append(candidate.Orders.ReferencePrefix).Any(ours =>
                    theirs.StartsWith(ours, StringComparison.OrdinalIgnoreCase) || ours.StartsWith(theirs, StringComparison.OrdinalIgnoreCase))));
        if (clash is not null)
        {
            throw new JunipeerException(ErrorCodes.IntegrationReferencePrefixConflict,
                $"Integration '{candidate.Id}' books into the same Visma.net company as '{clash.Id}' with reference prefix '{candidate.Orders.ReferencePrefix}' " +
                $"overlapping '{clash.Orders.ReferencePrefix}': each would find the other's invoices as its own. Give each integration its own Orders.ReferencePrefix.");
        }
    }

    /// <summary>
    /// A changed reference prefix keeps the earlier ones (Orders.PreviousReferencePrefixes), so orders
    /// invoiced under them are still found after a lost ledger.
    /// </summary>
    public static Integration KeepPreviousPrefixes(Integration candidate, Integration before)
    {
        var previous = before.Orders.PreviousReferencePrefixes
            .Concat(candidate.Orders.PreviousReferencePrefixes)
            .Append(before.Orders.ReferencePrefix)
            .Where(p => !string.Equals(p, candidate.Orders.ReferencePrefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return previous.SequenceEqual(candidate.Orders.PreviousReferencePrefixes)
            ? candidate
            : candidate with { Orders = candidate.Orders with { PreviousReferencePrefixes = previous } };
    }

    /// <summary>Throws SHOP_ORDER_OWNERSHIP_OVERLAP when <see cref="OwnershipProblems"/> finds any.</summary>
    public static void EnsureOwnershipDisjoint(Integration candidate, IEnumerable<Integration> stored)
    {
        var problems = OwnershipProblems(candidate, stored);
        if (problems.Count > 0)
        {
            throw new JunipeerException(ErrorCodes.ShopOrderOwnershipOverlap, $"Integration '{candidate.Id}': " + string.Join(" ", problems));
        }
    }

    private static bool SameEndpoint(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
            ? Uri.Compare(x, y, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
              || string.Equals(x.GetLeftPart(UriPartial.Path).TrimEnd('/'), y.GetLeftPart(UriPartial.Path).TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            : string.Equals(a.Trim().TrimEnd('/'), b.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static void OwnershipFilter(List<string> p, OrderOwnershipFilter? f)
    {
        if (f is null)
        {
            return;
        }

        foreach (var id in f.StoreIds.Concat(f.MarketIds))
        {
            if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                p.Add($"Shop.Centra.OrderFilter: '{id}' is not a Centra store or market id (a whole number).");
            }
        }

        foreach (var country in f.Countries)
        {
            if (!CountryCode().IsMatch(country))
            {
                p.Add($"Shop.Centra.OrderFilter.Countries: '{country}' must be an ISO 3166-1 alpha-2 code in capitals, e.g. SE.");
            }
        }
    }

    private static void Mapping(List<string> p, string path, VatMapping? m)
    {
        if (m is null)
        {
            p.Add($"{path} is required.");
            return;
        }

        Required(p, $"{path}.TaxZoneId", m.TaxZoneId);
        if (m.VatCategoryByRate.Count == 0)
        {
            p.Add($"{path}.VatCategoryByRate needs at least one rate → VAT category.");
        }

        foreach (var rate in m.VatCategoryByRate.Keys)
        {
            if (!decimal.TryParse(rate, NumberStyles.Number, CultureInfo.InvariantCulture, out var r) || r < 0 || r >= 100
                || r.ToString("0.##", CultureInfo.InvariantCulture) != rate)
            {
                p.Add($"{path}.VatCategoryByRate key '{rate}' must be a rate written like 25, 12 or 25.5.");
            }
        }
    }

    /// <summary>SKU rule, products and stock settings (Integration.Catalogue.cs).</summary>
    private static void CatalogueProblems(Integration i, List<string> p, ScopedProblems scoped)
    {
        Required(p, "Sku.ProductNrField", i.Sku.ProductNrField);
        if (i.Sku.Pattern is { Length: > 0 } pattern)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                p.Add($"Sku.Pattern '{pattern}' is not a valid regular expression: {ex.Message}");
            }
        }

        ProductProblems(i, p);
        if (i.Customers.OverlapMinutes is < 0 or > 1440)
        {
            p.Add($"Customers.OverlapMinutes {i.Customers.OverlapMinutes} must be 0-1440.");
        }

        var stock = i.Stock;
        if (stock.OverlapMinutes is < 0 or > 1440)
        {
            p.Add($"Stock.OverlapMinutes {stock.OverlapMinutes} must be 0-1440.");
        }

        if (stock.BatchSize is < 1 or > 10_000)
        {
            p.Add($"Stock.BatchSize {stock.BatchSize} must be 1-10000.");
        }

        if (stock.Enabled && stock.Warehouses.Count == 0)
        {
            p.Add("Stock.Warehouses needs at least one {VismaWarehouseId, CentraWarehouseId} when Stock.Enabled.");
        }

        foreach (var w in stock.Warehouses)
        {
            Required(p, "Stock.Warehouses[].VismaWarehouseId", w.VismaWarehouseId);
            if (w.CentraWarehouseId <= 0)
            {
                p.Add($"Stock.Warehouses: Centra warehouse id {w.CentraWarehouseId} of '{w.VismaWarehouseId}' must be a positive number.");
            }
        }

        foreach (var dup in stock.Warehouses.GroupBy(w => w.VismaWarehouseId, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            p.Add($"Stock.Warehouses maps Visma.net warehouse '{dup.Key}' more than once.");
        }

        StockHintProblems(i, p, scoped);
    }

    private static void Required(List<string> p, string path, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            p.Add($"{path} is required.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9]{1,127}$")]
    private static partial Regex SecretName();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();

    private static readonly string[] ShipmentOrderFields = ["orderNbr", "customStr1", "customStr2", "customStr3", "customStr4", "customStr5"];

    private static readonly string[] ShipmentStatuses = ["Open", "Hold", "Completed", "Cancelled", "Confirmed", "Invoiced", "Receipted", "AutoGenerated", "PartiallyInvoiced"];

    private static void ShipmentSettingsProblems(List<string> p, ScopedProblems scoped, ShipmentFlowSettings s)
    {
        if (!ShipmentOrderFields.Contains(s.OrderNumberField, StringComparer.Ordinal))
        {
            p.Add($"Shipments.OrderNumberField must be one of {string.Join(", ", ShipmentOrderFields)}.");
        }

        if (!ShipmentStatuses.Contains(s.TriggerStatus, StringComparer.Ordinal))
        {
            p.Add($"Shipments.TriggerStatus must be a Visma.net shipment status ({string.Join(", ", ShipmentStatuses)}).");
        }

        if (s.SweepOverlapMinutes is < 0 or > 1440)
        {
            p.Add("Shipments.SweepOverlapMinutes must be between 0 and 1440.");
        }

        Required(p, "Shipments.ReferencePrefix", s.ReferencePrefix);
        if (s.WebhookSecretName is not null)
        {
            scoped.Secret("Shipments.WebhookSecretName", s.WebhookSecretName);
        }

        if (s.PreviousWebhookSecretName is not null)
        {
            scoped.Secret("Shipments.PreviousWebhookSecretName", s.PreviousWebhookSecretName);
        }

        if (s.NShift is { } n)
        {
            scoped.Secret("Shipments.NShift.ApiKeySecretName", n.ApiKeySecretName);
            scoped.Url("Shipments.NShift.ApiBaseUrl", n.ApiBaseUrl, optional: true, VendorHosts.NShift);
            Required(p, "Shipments.NShift.Sender.Name", n.Sender?.Name);
            Required(p, "Shipments.NShift.Sender.City", n.Sender?.City);
            if (!CountryCode().IsMatch(n.Sender?.Country ?? ""))
            {
                p.Add("Shipments.NShift.Sender.Country must be an upper-case ISO country code such as SE.");
            }
        }

        foreach (var (m, index) in s.CarrierServices.Select((m, k) => (m, k)))
        {
            Required(p, $"Shipments.CarrierServices[{index}].ServiceId", m.ServiceId);
            if (m.Country is not null && !CountryCode().IsMatch(m.Country))
            {
                p.Add($"Shipments.CarrierServices[{index}].Country must be an upper-case ISO country code such as SE.");
            }
        }
    }
}
