using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;

namespace Junipeer.Core.Products;

/// <summary>Outcome of building one article's SKU: the SKU, or why the article breaks the pattern.</summary>
public sealed record SkuResult(string? Sku, string? Problem)
{
    public bool Ok => Sku is not null;
}

/// <summary>
/// Builds the shop SKU from an ERP article per <see cref="SkuSettings"/>: ProductNrField + Variant + Size,
/// joined with the separator, empty parts left out (Centra: "if any part is empty, the concatenation is just
/// the non-empty parts"). A configured field the article does not carry, or a SKU that does not match the
/// optional pattern, is a pattern break (fix the article in the ERP).
/// </summary>
public static class SkuComposer
{
    public static SkuResult Compose(SkuSettings settings, ErpArticle article)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(article);
        var product = string.Equals(settings.ProductNrField, SkuFields.InventoryNumber, StringComparison.OrdinalIgnoreCase)
            ? article.Number
            : Attribute(article, settings.ProductNrField);
        if (string.IsNullOrWhiteSpace(product))
        {
            return new SkuResult(null, $"article {article.Number} has no value in {settings.ProductNrField} (the product number part)");
        }

        var parts = new List<string> { product.Trim() };
        foreach (var (field, name) in new[] { (settings.VariantField, "variant"), (settings.SizeField, "size") })
        {
            if (field is null)
            {
                continue;
            }

            var value = Attribute(article, field);
            if (value is null)
            {
                return new SkuResult(null, $"article {article.Number} has no attribute {field} (the {name} part)");
            }

            if (value.Trim().Length > 0)
            {
                parts.Add(value.Trim());
            }
        }

        var sku = string.Join(settings.Separator, parts);
        return MatchesPattern(settings, sku)
            ? new SkuResult(sku, null)
            : new SkuResult(null, $"SKU '{sku}' of article {article.Number} does not match the pattern {settings.Pattern}");
    }

    /// <summary>True when no pattern is configured or the SKU matches it.</summary>
    public static bool MatchesPattern(SkuSettings settings, string sku) =>
        settings.Pattern is not { Length: > 0 } pattern || Regex.IsMatch(sku, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// Fingerprint of everything that decides the SKU (fields, separator, pattern): 16 hex of SHA-256 over a
    /// canonical text. Stored with the mappings; a different fingerprint means the mappings were built
    /// with another SKU rule.
    /// </summary>
    public static string Fingerprint(SkuSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var canonical = string.Join('\u001f',
            "v1",
            settings.ProductNrField.ToUpperInvariant(),
            settings.VariantField?.ToUpperInvariant() ?? "",
            settings.SizeField?.ToUpperInvariant() ?? "",
            settings.Separator,
            settings.Pattern ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }

    /// <summary>Readable form of the rule, e.g. "inventoryNumber + Information5 + Information4".</summary>
    public static string Describe(SkuSettings settings) =>
        string.Join(settings.Separator.Length > 0 ? $" + '{settings.Separator}' + " : " + ",
            new[] { settings.ProductNrField, settings.VariantField, settings.SizeField }.OfType<string>());

    private static string? Attribute(ErpArticle article, string id) =>
        article.Attributes.FirstOrDefault(a => string.Equals(a.Key, id, StringComparison.OrdinalIgnoreCase)).Value;
}
