using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Centra;

/// <summary>A product size as seeded: its full SKU (product number + variant number + size number).</summary>
public sealed class CentraSizeSpec
{
    public string Sku { get; set; } = "";

    /// <summary>The size's own number ("SKU suffix"); defaults to empty.</summary>
    public string SizeNumber { get; set; } = "";

    /// <summary>Warehouse id → physical quantity.</summary>
    public Dictionary<int, int> Stock { get; set; } = [];
}

/// <summary>Ground truth of one size: id, SKU and physical stock per warehouse.</summary>
public sealed record CentraSizeSnapshot(int Id, string Sku, IReadOnlyDictionary<int, int> Stock);

/// <summary>Product sizes (SKUs), warehouses and stock: <c>Query.productSizes</c>, <c>Mutation.setStock</c>.</summary>
public sealed partial class CentraState
{
    private readonly SortedDictionary<int, StoredSize> _sizes = [];
    private readonly Dictionary<string, List<StoredSize>> _bySku = new(StringComparer.Ordinal);
    private readonly HashSet<int> _warehouses = [];
    private int _nextSizeId = 1;
    private int _nextStockChange = 5000;

    /// <summary>
    /// Sandbox knob (not a Centra fact): the most <c>productSizes</c> one setStock call may carry; more is
    /// answered with a GraphQL error. Centra documents no number (complexity-based limits apply). 0 = no limit.
    /// </summary>
    public int MaxStockSizesPerCall { get; set; }

    /// <summary>Number of setStock calls that changed something (ground truth for benchmarks).</summary>
    public int SetStockCalls { get; private set; }

    /// <summary>Size stock levels setStock applied (one per size and call).</summary>
    public int StockLevelsSet { get; private set; }

    private sealed class StoredSize(int id, string sku, string sizeNumber)
    {
        public int Id { get; } = id;
        public string Sku { get; } = sku;
        public string SizeNumber { get; } = sizeNumber;
        public Dictionary<int, int> Stock { get; } = [];
    }

    /// <summary>Declares warehouses (ids) that setStock may address.</summary>
    public void AddWarehouses(params int[] ids)
    {
        lock (_gate)
        {
            foreach (var id in ids)
            {
                _warehouses.Add(id);
            }
        }
    }

    /// <summary>Seeds sizes; returns their ids. A SKU may be seeded twice (a duplicate the diagnosis should find).</summary>
    public IReadOnlyList<int> AddSizes(params CentraSizeSpec[] specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        lock (_gate)
        {
            var ids = new List<int>(specs.Length);
            foreach (var spec in specs)
            {
                var id = _nextSizeId++;
                var size = new StoredSize(id, spec.Sku, spec.SizeNumber);
                if (!_bySku.TryGetValue(spec.Sku, out var same))
                {
                    same = [];
                    _bySku[spec.Sku] = same;
                }

                same.Add(size);
                foreach (var (w, q) in spec.Stock)
                {
                    size.Stock[w] = q;
                }

                _sizes[id] = size;
                ids.Add(id);
            }

            return ids;
        }
    }

    /// <summary>Ground truth: every size with its stock.</summary>
    public IReadOnlyList<CentraSizeSnapshot> Sizes()
    {
        lock (_gate)
        {
            return [.. _sizes.Values.Select(s => new CentraSizeSnapshot(s.Id, s.Sku, new Dictionary<int, int>(s.Stock)))];
        }
    }

    internal List<object?> ProductSizesPage(int limit, int page)
    {
        lock (_gate)
        {
            return [.. _sizes.Values.Skip((int)Math.Min((long)(page - 1) * limit, int.MaxValue)).Take(limit).Select(s => (object?)new JsonObject
            {
                ["__typename"] = "ProductSize",
                ["id"] = s.Id,
                ["SKU"] = s.Sku,
                ["EAN"] = null,
                ["sizeNumber"] = s.SizeNumber,
            })];
        }
    }

    /// <summary>
    /// setStock: validates every line first (warehouse known, quantity ≥ 0, one size per line), then sets the
    /// physical quantity of the sizes it found. Sizes it cannot find are reported as user errors while the
    /// others are applied: whether Centra applies the rest of a call with a bad line is not documented (VERIFY).
    /// Returns the payload JSON, or an error text for a request Centra would refuse as a whole.
    /// </summary>
    internal (JsonObject? Payload, string? Error) SetStock(Dictionary<string, object?> input)
    {
        lock (_gate)
        {
            var warehouse = input.TryGetValue("warehouse", out var w) && w is IDictionary<string, object?> wh && wh.TryGetValue("id", out var wid) && wid is not null
                ? Convert.ToInt32(wid, System.Globalization.CultureInfo.InvariantCulture)
                : (int?)null;
            if (warehouse is null || !_warehouses.Contains(warehouse.Value))
            {
                return (null, $"Warehouse {(warehouse?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)")} not found.");
            }

            var lines = input.TryGetValue("productSizes", out var ps) && ps is System.Collections.IEnumerable e && ps is not string
                ? e.Cast<object?>().OfType<IDictionary<string, object?>>().ToList()
                : [];
            if (MaxStockSizesPerCall > 0 && lines.Count > MaxStockSizesPerCall)
            {
                return (null, $"Too many productSizes in one setStock call: {lines.Count} (sandbox limit {MaxStockSizesPerCall}).");
            }

            var errors = new JsonArray();
            var changes = new List<(StoredSize Size, int Quantity)>();
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                var quantity = line.TryGetValue("quantity", out var q) && q is not null ? Convert.ToInt32(q, System.Globalization.CultureInfo.InvariantCulture) : -1;
                if (quantity < 0)
                {
                    return (null, $"productSizes[{i}].quantity: Stock value must be greater or equal to 0.");
                }

                var key = line.TryGetValue("productSize", out var k) ? k as IDictionary<string, object?> : null;
                var given = key?.Where(kv => kv.Value is not null).ToList() ?? [];
                if (given.Count != 1)
                {
                    return (null, $"productSizes[{i}].productSize: exactly one input field should be provided.");
                }

                var (field, value) = (given[0].Key, Convert.ToString(given[0].Value, System.Globalization.CultureInfo.InvariantCulture));
                List<StoredSize> matches = field switch
                {
                    "id" => int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var sid) && _sizes.TryGetValue(sid, out var byId) ? [byId] : [],
                    "SKU" or "any" => value is not null && _bySku.TryGetValue(value, out var bySku) ? bySku : [],
                    _ => [],
                };
                if (matches.Count != 1)
                {
                    errors.Add(new JsonObject
                    {
                        ["message"] = matches.Count == 0 ? $"Product size with {field} '{value}' not found." : $"Product size {field} '{value}' is ambiguous ({matches.Count} sizes).",
                        ["path"] = new JsonArray("input", "productSizes", i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    });
                    continue;
                }

                changes.Add((matches[0], quantity));
            }

            var stockChanges = new JsonArray();
            if (changes.Count > 0)
            {
                foreach (var (size, quantity) in changes)
                {
                    size.Stock[warehouse.Value] = quantity;
                }

                SetStockCalls++;
                StockLevelsSet += changes.Count;
                stockChanges.Add(new JsonObject { ["__typename"] = "StockChange", ["id"] = _nextStockChange++ });
            }

            return (new JsonObject
            {
                ["__typename"] = "StockSetPayload",
                ["stockChanges"] = stockChanges,
                ["userErrors"] = new JsonArray([.. errors.Select(x => (JsonNode?)Tag(x!.AsObject(), "UserError"))]),
                ["userWarnings"] = new JsonArray(),
            }, null);
        }

        static JsonObject Tag(JsonObject o, string type)
        {
            var copy = JsonNode.Parse(o.ToJsonString())!.AsObject();
            copy["__typename"] = type;
            return copy;
        }
    }

    private void ResetCatalogue()
    {
        _sizes.Clear();
        _bySku.Clear();
        _nextSizeId = 1;
        _warehouses.Clear();
        MaxStockSizesPerCall = 0;
        SetStockCalls = 0;
        StockLevelsSet = 0;
    }
}
