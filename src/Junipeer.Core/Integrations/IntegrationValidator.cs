using System.Globalization;
using System.Text.RegularExpressions;
using Junipeer.Core.Errors;

namespace Junipeer.Core.Integrations;

/// <summary>
/// Checks integration settings before they are stored, so a mistake surfaces when it is made and
/// not on the first order. Secret names must be letters and digits only: they become app settings
/// <c>Secrets__&lt;name&gt;</c> (Linux app settings reject hyphens) and Key Vault secret names
/// (which reject underscores).
/// </summary>
public static partial class IntegrationValidator
{
    public static IReadOnlyList<string> Problems(Integration i)
    {
        var p = new List<string>();
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
                if (!Guid.TryParse(v.CompanyTenantId, out _))
                {
                    p.Add("Erp.VismaNet.CompanyTenantId must be the company tenant GUID (Visma Admin → Company → Tenant id).");
                }

                Required(p, "Erp.VismaNet.ClientId", v.ClientId);
                Secret(p, "Erp.VismaNet.ClientSecretName", v.ClientSecretName);
                Url(p, "Erp.VismaNet.ApiBaseUrl", v.ApiBaseUrl, optional: true);
                Url(p, "Erp.VismaNet.TokenUrl", v.TokenUrl, optional: true);
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
            Url(p, "Shop.Centra.GraphQlUrl", c.GraphQlUrl, optional: false);
            Secret(p, "Shop.Centra.TokenSecretName", c.TokenSecretName);
            Secret(p, "Shop.Centra.WebhookSecretName", c.WebhookSecretName);
            if (c.PreviousWebhookSecretName is not null)
            {
                Secret(p, "Shop.Centra.PreviousWebhookSecretName", c.PreviousWebhookSecretName);
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

        return p;
    }

    /// <summary>Throws INTEGRATION_SETTINGS_INVALID listing every problem.</summary>
    public static void EnsureValid(Integration i)
    {
        var problems = Problems(i);
        if (problems.Count > 0)
        {
            throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
                $"Integration '{i.Id}' settings are invalid: " + string.Join(" ", problems));
        }
    }

    public static bool IsValidSecretName(string? name) => name is not null && SecretName().IsMatch(name);

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

    private static void Required(List<string> p, string path, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            p.Add($"{path} is required.");
        }
    }

    private static void Secret(List<string> p, string path, string? name)
    {
        if (!IsValidSecretName(name))
        {
            p.Add($"{path} '{name}' must be letters and digits only (it becomes app setting Secrets__<name> and a Key Vault secret name).");
        }
    }

    private static void Url(List<string> p, string path, string? value, bool optional)
    {
        if (optional && value is null)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttps && u.Scheme != Uri.UriSchemeHttp))
        {
            p.Add($"{path} must be an absolute http(s) URL.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9]{1,127}$")]
    private static partial Regex SecretName();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}
