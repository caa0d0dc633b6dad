using System.Globalization;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Centra;

/// <summary>Ground truth of one Centra product with its variants and sizes.</summary>
public sealed record CentraProductSnapshot(int Id, string ProductNumber, string Name, DateTimeOffset UpdatedAt, IReadOnlyList<CentraVariantSnapshot> Variants);

public sealed record CentraVariantSnapshot(int Id, string VariantNumber, string Name, IReadOnlyList<CentraSizeSnapshot> Sizes);

/// <summary>
/// Products → variants → sizes: <c>Query.products</c>, <c>Mutation.createProduct</c>, <c>updateProduct</c>,
/// <c>createProductVariant</c>, <c>createProductSize</c>. A size's full SKU is product number + variant number + size
/// number (vendor notes §1.4); sizes join the catalogue of <c>productSizes</c> and <c>setStock</c>. Whether Centra refuses
/// a second product (variant, size) with the same number is not documented: the emulator accepts it, so a create sent
/// twice shows as a duplicate. Size charts are not modelled (any size name is accepted: VERIFY).
/// </summary>
public sealed partial class CentraState
{
    private readonly SortedDictionary<int, StoredProduct> _products = [];
    private int _nextProductId = 3001;
    private int _nextVariantId = 4001;

    /// <summary>Products, variants and sizes created through the API.</summary>
    public int ProductsCreatedByApi { get; private set; }

    public int VariantsCreatedByApi { get; private set; }

    public int SizesCreatedByApi { get; private set; }

    /// <summary>updateProduct calls that changed something.</summary>
    public int ProductsUpdatedByApi { get; private set; }

    /// <summary>updateProduct calls that changed nothing (a change sent back where it came from).</summary>
    public int ProductEchoes { get; private set; }

    private sealed class StoredProduct(int id, string number, string name, DateTimeOffset at)
    {
        public int Id { get; } = id;
        public string Number { get; } = number;
        public string Name { get; set; } = name;
        public DateTimeOffset CreatedAt { get; } = at;
        public DateTimeOffset UpdatedAt { get; set; } = at;
        public List<StoredVariant> Variants { get; } = [];
    }

    private sealed class StoredVariant(int id, StoredProduct product, string number, string name)
    {
        public int Id { get; } = id;
        public StoredProduct Product { get; } = product;
        public string Number { get; } = number;
        public string Name { get; } = name;
        public List<StoredSize> Sizes { get; } = [];
    }

    /// <summary>Seeds a product (as if created in Centra's admin); returns its id.</summary>
    public int AddProduct(string productNumber, string name)
    {
        lock (_gate)
        {
            var p = new StoredProduct(_nextProductId++, productNumber, name, Truncate(Now));
            _products[p.Id] = p;
            return p.Id;
        }
    }

    /// <summary>Seeds a variant of a product; returns its id.</summary>
    public int AddVariant(int productId, string variantNumber, string name)
    {
        lock (_gate)
        {
            return NewVariant(_products[productId], variantNumber, name).Id;
        }
    }

    /// <summary>Seeds a size of a variant (SKU = product + variant + size number); returns its id.</summary>
    public int AddProductSize(int variantId, string sizeNumber)
    {
        lock (_gate)
        {
            return NewSize(FindVariant(variantId)!, sizeNumber).Id;
        }
    }

    /// <summary>A user renames a product in Centra's admin (updatedAt moves).</summary>
    public void EditProduct(int productId, string name)
    {
        lock (_gate)
        {
            var p = _products[productId];
            p.Name = name;
            p.UpdatedAt = Truncate(Now);
        }
    }

    /// <summary>Ground truth: every product with its variants and sizes.</summary>
    public IReadOnlyList<CentraProductSnapshot> Products()
    {
        lock (_gate)
        {
            return [.. _products.Values.Select(p => new CentraProductSnapshot(p.Id, p.Number, p.Name, p.UpdatedAt,
                [.. p.Variants.Select(v => new CentraVariantSnapshot(v.Id, v.Number, v.Name,
                    [.. v.Sizes.Select(s => new CentraSizeSnapshot(s.Id, s.Sku, new Dictionary<int, int>(s.Stock)))]))]))];
        }
    }

    internal List<object?> ProductsJson(Func<JsonObject, bool> filter)
    {
        lock (_gate)
        {
            return [.. _products.Values.Select(ProductJson).Where(filter).Select(p => (object?)p)];
        }
    }

    internal JsonObject CreateProduct(IDictionary<string, object?> input)
    {
        lock (_gate)
        {
            var number = Str(input, "productNumber")?.Trim() ?? "";
            var name = Str(input, "name")?.Trim() ?? "";
            if (number.Length == 0 || name.Length == 0)
            {
                return Payload("ProductCreatePayload", "product", null, number.Length == 0 ? "productNumber" : "name", "Product number and name are required.");
            }

            var p = new StoredProduct(_nextProductId++, number, name, Truncate(Now));
            _products[p.Id] = p;
            ProductsCreatedByApi++;
            return Payload("ProductCreatePayload", "product", ProductJson(p), null, null);
        }
    }

    internal JsonObject UpdateProduct(IDictionary<string, object?> key, IDictionary<string, object?> input)
    {
        lock (_gate)
        {
            var given = key.Where(kv => kv.Value is not null).ToList();
            if (given.Count != 1)
            {
                return Payload("ProductUpdatePayload", "product", null, "product", "product: exactly one input field should be provided.");
            }

            var value = Convert.ToString(given[0].Value, CultureInfo.InvariantCulture);
            var matches = given[0].Key == "id"
                ? _products.Values.Where(p => p.Id.ToString(CultureInfo.InvariantCulture) == value).ToList()
                : _products.Values.Where(p => p.Number == value).ToList();
            if (matches.Count != 1)
            {
                return Payload("ProductUpdatePayload", "product", null, "product", matches.Count == 0 ? $"Product with {given[0].Key} '{value}' not found." : $"Product {given[0].Key} '{value}' is ambiguous.");
            }

            var p = matches[0];
            if (input.ContainsKey("name"))
            {
                var name = Str(input, "name")?.Trim() ?? "";
                if (name.Length == 0)
                {
                    return Payload("ProductUpdatePayload", "product", null, "name", "Name cannot be empty.");
                }

                if (name == p.Name)
                {
                    ProductEchoes++;
                }
                else
                {
                    p.Name = name;
                    p.UpdatedAt = Truncate(Now);
                    ProductsUpdatedByApi++;
                }
            }
            else
            {
                ProductEchoes++;
            }

            return Payload("ProductUpdatePayload", "product", ProductJson(p), null, null);
        }
    }

    internal JsonObject CreateProductVariant(IDictionary<string, object?> input)
    {
        lock (_gate)
        {
            var productId = input.TryGetValue("product", out var pk) && pk is IDictionary<string, object?> pd && pd.TryGetValue("id", out var id) && id is not null
                ? Convert.ToInt32(id, CultureInfo.InvariantCulture)
                : (int?)null;
            if (productId is null || !_products.TryGetValue(productId.Value, out var p))
            {
                return Payload("ProductVariantCreatePayload", "productVariant", null, "product", $"Product {productId?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} not found.");
            }

            var name = Str(input, "name")?.Trim() ?? "";
            if (name.Length == 0)
            {
                return Payload("ProductVariantCreatePayload", "productVariant", null, "name", "Name is required.");
            }

            var v = NewVariant(p, Str(input, "variantNumber")?.Trim() ?? "", name);
            VariantsCreatedByApi++;
            return Payload("ProductVariantCreatePayload", "productVariant", VariantJson(v), null, null);
        }
    }

    internal JsonObject CreateProductSize(IDictionary<string, object?> input)
    {
        lock (_gate)
        {
            var variantId = input.TryGetValue("productVariant", out var vk) && vk is IDictionary<string, object?> vd && vd.TryGetValue("id", out var id) && id is not null
                ? Convert.ToInt32(id, CultureInfo.InvariantCulture)
                : (int?)null;
            var v = variantId is null ? null : FindVariant(variantId.Value);
            if (v is null)
            {
                return Payload("ProductSizeCreatePayload", "productSize", null, "productVariant", $"Product variant {variantId?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} not found.");
            }

            var size = input.TryGetValue("size", out var sk) && sk is IDictionary<string, object?> sd ? sd.Where(kv => kv.Value is not null).ToList() : [];
            if (size.Count != 1)
            {
                return Payload("ProductSizeCreatePayload", "productSize", null, "size", "size: exactly one input field should be provided.");
            }

            var s = NewSize(v, Str(input, "sizeNumber")?.Trim() ?? "");
            SizesCreatedByApi++;
            return Payload("ProductSizeCreatePayload", "productSize", SizeJson(s), null, null);
        }
    }

    private StoredVariant NewVariant(StoredProduct p, string number, string name)
    {
        var v = new StoredVariant(_nextVariantId++, p, number, name);
        p.Variants.Add(v);
        p.UpdatedAt = Truncate(Now);
        return v;
    }

    private StoredSize NewSize(StoredVariant v, string sizeNumber)
    {
        var sku = v.Product.Number + v.Number + sizeNumber;
        var size = new StoredSize(_nextSizeId++, sku, sizeNumber);
        if (!_bySku.TryGetValue(sku, out var same))
        {
            same = [];
            _bySku[sku] = same;
        }

        same.Add(size);
        _sizes[size.Id] = size;
        v.Sizes.Add(size);
        v.Product.UpdatedAt = Truncate(Now);
        return size;
    }

    private StoredVariant? FindVariant(int id) => _products.Values.SelectMany(p => p.Variants).FirstOrDefault(v => v.Id == id);

    private static string? Str(IDictionary<string, object?> d, string k) => d.TryGetValue(k, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    private static JsonObject ProductJson(StoredProduct p) => new()
    {
        ["__typename"] = "Product",
        ["id"] = p.Id,
        ["productNumber"] = p.Number,
        ["name"] = p.Name,
        ["createdAt"] = DateTimeTz(p.CreatedAt),
        ["updatedAt"] = DateTimeTz(p.UpdatedAt),
        ["variants"] = new JsonArray([.. p.Variants.Select(v => (JsonNode)VariantJson(v))]),
    };

    private static JsonObject VariantJson(StoredVariant v) => new()
    {
        ["__typename"] = "ProductVariant",
        ["id"] = v.Id,
        ["variantNumber"] = v.Number,
        ["name"] = v.Name,
        ["productSizes"] = new JsonArray([.. v.Sizes.Select(s => (JsonNode)SizeJson(s))]),
    };

    private static JsonObject SizeJson(StoredSize s) => new()
    {
        ["__typename"] = "ProductSize",
        ["id"] = s.Id,
        ["SKU"] = s.Sku,
        ["EAN"] = null,
        ["sizeNumber"] = s.SizeNumber,
    };

    private static JsonObject Payload(string type, string field, JsonObject? item, string? errorField, string? error) => new()
    {
        ["__typename"] = type,
        [field] = item,
        ["userErrors"] = error is null
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["__typename"] = "UserError", ["message"] = error, ["path"] = new JsonArray("input", errorField) }),
        ["userWarnings"] = new JsonArray(),
    };

    private void ResetProducts()
    {
        _products.Clear();
        _nextProductId = 3001;
        _nextVariantId = 4001;
        ProductsCreatedByApi = 0;
        VariantsCreatedByApi = 0;
        SizesCreatedByApi = 0;
        ProductsUpdatedByApi = 0;
        ProductEchoes = 0;
    }
}
