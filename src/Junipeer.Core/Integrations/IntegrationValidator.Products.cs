namespace Junipeer.Core.Integrations;

/// <summary>Products settings (Integration.Catalogue.cs, ProductFlowSettings).</summary>
public static partial class IntegrationValidator
{
    /// <summary>An id sent to Visma.net as is: left out, or non-blank, no surrounding or control whitespace, at most <paramref name="max"/> characters.</summary>
    private static void ArticleId(List<string> p, string path, string what, string? value, int max)
    {
        if (value is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(value) || value.Trim() != value || value.Any(char.IsControl) || value.Length > max)
        {
            p.Add($"{path} '{value}' is not {what}: use the id as Visma.net shows it (no surrounding spaces, at most {max} characters), or leave it out to use the item class's default.");
        }
    }

    private static void ProductProblems(Integration i, List<string> p)
    {
        var products = i.Products;
        if (!Enum.IsDefined(products.Direction))
        {
            p.Add($"Products.Direction '{products.Direction}' must be Off, VismaToCentra or CentraToVisma.");
            return;
        }

        if (products.OverlapMinutes is < 0 or > 1440)
        {
            p.Add($"Products.OverlapMinutes {products.OverlapMinutes} must be 0-1440.");
        }

        if (products.ItemClass is { } itemClass && string.IsNullOrWhiteSpace(itemClass))
        {
            p.Add("Products.ItemClass must be an item class id or left out.");
        }

        ArticleId(p, "Products.PostingClass", "a posting class id", products.PostingClass, 30);
        ArticleId(p, "Products.VatCode", "a VAT category id (Visma.net: at most 6 characters)", products.VatCode, 6);
        ArticleId(p, "Products.SalesUnit", "a unit id such as PCS", products.SalesUnit, 30);

        if (products.Direction == ProductDirection.Off)
        {
            return;
        }

        if (i.Sku.Separator.Length > 0)
        {
            p.Add($"Products.Direction {products.Direction} needs Sku.Separator empty: Centra's full SKU is product number + variant number + size number with no separator, so a SKU built with '{i.Sku.Separator}' would never match the product the sync creates.");
        }

        if (products.Direction == ProductDirection.CentraToVisma
            && string.Equals(i.Sku.ProductNrField, SkuFields.InventoryNumber, StringComparison.OrdinalIgnoreCase)
            && (i.Sku.VariantField is not null || i.Sku.SizeField is not null))
        {
            p.Add("Products.Direction CentraToVisma needs Sku.ProductNrField to be an article attribute (e.g. PRODUCTNR) when VariantField or SizeField is set: the article created for a Centra size is numbered with the size's full SKU, so the product number part must come from an attribute.");
        }
    }
}
