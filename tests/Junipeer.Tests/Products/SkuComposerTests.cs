using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;

namespace Junipeer.Tests.Products;

public class SkuComposerTests
{
    private static ErpArticle Article(string number, params (string Id, string Value)[] attributes) =>
        new(number, "", attributes.ToDictionary(a => a.Id, a => a.Value, StringComparer.OrdinalIgnoreCase), []);

    private static readonly SkuSettings Seed = new() { ProductNrField = SkuFields.InventoryNumber, VariantField = "Information5", SizeField = "Information4" };

    [Fact]
    public void SKU_is_product_number_plus_variant_plus_size_as_Centra_concatenates_them()
    {
        // Centra's example: product 123123 + variant 789 + size 01 = 12312378901.
        var sku = SkuComposer.Compose(Seed, Article("123123", ("INFORMATION5", "789"), ("Information4", "01")));
        Assert.Equal("12312378901", sku.Sku);
        Assert.Equal("12312378901", SkuComposer.Compose(Seed with { Separator = "" }, Article("123123", ("Information5", " 789 "), ("Information4", "01"))).Sku);
        Assert.Equal("123123-789-01", SkuComposer.Compose(Seed with { Separator = "-" }, Article("123123", ("Information5", "789"), ("Information4", "01"))).Sku);
    }

    [Fact]
    public void Empty_parts_are_left_out_and_the_product_number_may_come_from_an_attribute()
    {
        Assert.Equal("123123789", SkuComposer.Compose(Seed, Article("123123", ("Information5", "789"), ("Information4", ""))).Sku);
        var byAttribute = Seed with { ProductNrField = "PRODNR" };
        Assert.Equal("P1789S", SkuComposer.Compose(byAttribute, Article("ART-1", ("PRODNR", "P1"), ("Information5", "789"), ("Information4", "S"))).Sku);
    }

    [Fact]
    public void A_missing_field_or_a_value_outside_the_pattern_is_a_pattern_break_naming_the_article()
    {
        var missing = SkuComposer.Compose(Seed, Article("123123", ("Information5", "789")));
        Assert.False(missing.Ok);
        Assert.Contains("Information4", missing.Problem, StringComparison.Ordinal);
        Assert.Contains("123123", missing.Problem, StringComparison.Ordinal);

        var noProduct = SkuComposer.Compose(Seed with { ProductNrField = "PRODNR" }, Article("A1", ("Information5", "1"), ("Information4", "2")));
        Assert.False(noProduct.Ok);

        var pattern = Seed with { Pattern = "^[0-9]{11}$" };
        Assert.True(SkuComposer.Compose(pattern, Article("123123", ("Information5", "789"), ("Information4", "01"))).Ok);
        var broken = SkuComposer.Compose(pattern, Article("123123", ("Information5", "78X"), ("Information4", "01")));
        Assert.False(broken.Ok);
        Assert.Contains("does not match the pattern", broken.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fingerprint_changes_with_every_part_of_the_rule_and_only_with_it()
    {
        var f = SkuComposer.Fingerprint(Seed);
        Assert.Equal(16, f.Length);
        Assert.Equal(f, SkuComposer.Fingerprint(Seed with { VariantField = "information5" })); // attribute ids are case-insensitive
        Assert.NotEqual(f, SkuComposer.Fingerprint(Seed with { VariantField = "Information4", SizeField = "Information5" })); // swapped
        Assert.NotEqual(f, SkuComposer.Fingerprint(Seed with { Separator = "-" }));
        Assert.NotEqual(f, SkuComposer.Fingerprint(Seed with { Pattern = ".*" }));
        Assert.NotEqual(f, SkuComposer.Fingerprint(Seed with { SizeField = null }));
        Assert.Equal("inventoryNumber + Information5 + Information4", SkuComposer.Describe(Seed));
    }
}
