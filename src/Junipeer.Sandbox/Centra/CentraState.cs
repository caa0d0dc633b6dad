using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Sandbox.Centra;

/// <summary>In-memory Centra orders plus the request-count rate bucket. Thread-safe.</summary>
public sealed partial class CentraState
{
    private readonly SandboxState _root;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, StoredOrder> _orders = [];
    private DateTimeOffset _windowStart;
    private int _windowCount;

    internal CentraState(SandboxState root)
    {
        _root = root;
        AccessToken = root.Options.CentraToken;
        RateLimit = root.Options.CentraRateLimit;
        RateWindow = root.Options.CentraRateWindow;
    }

    /// <summary>The Bearer token the GraphQL endpoint accepts.</summary>
    public string AccessToken { get; set; }

    public int RateLimit { get; set; }

    public TimeSpan RateWindow { get; set; }

    /// <summary>
    /// The permissions of the sandbox token (Centra: chosen when the token is made in AMS). Null means every
    /// permission the contract names. A test withholds one to see Centra's per-field authorization error.
    /// </summary>
    public IReadOnlySet<string>? TokenPermissions { get; set; }

    /// <summary>
    /// Test hook: runs before each <c>orders</c> query is answered, with the number of such queries so far
    /// (0-based), e.g. to change an order between two pages of a sweep.
    /// </summary>
    public Action<int>? OnOrdersQuery { get; set; }

    private int _ordersQueries;

    /// <summary>Every permission some field of the Centra contract needs.</summary>
    public static IReadOnlyList<string> AllPermissions => [.. CentraGraphQl.Permissions.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    internal IReadOnlySet<string> GrantedPermissions() => TokenPermissions ?? new HashSet<string>(AllPermissions, StringComparer.Ordinal);

    internal void BeforeOrdersQuery()
    {
        var n = Interlocked.Increment(ref _ordersQueries) - 1;
        OnOrdersQuery?.Invoke(n);
    }

    internal List<JsonObject> OrderJsonSnapshot()
    {
        lock (_gate)
        {
            // Round-trip through text so every value is a plain JSON value, as Centra's would be.
            return [.. _orders.Values.Select(o => JsonNode.Parse(WithShipments(OrderJson(o), o.Number).ToJsonString())!.AsObject())];
        }
    }

    private DateTimeOffset Now => _root.Clock.GetUtcNow();

    /// <summary>Seeds one order, computing all amounts. Throws <see cref="ArgumentException"/> on bad input.</summary>
    public CentraOrderSnapshot AddOrder(CentraOrderSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Lines.Count == 0)
        {
            throw new ArgumentException("An order needs at least one line.", nameof(spec));
        }

        if (spec.StoreType is not ("DTC" or "WHOLESALE"))
        {
            throw new ArgumentException("storeType must be DTC or WHOLESALE.", nameof(spec));
        }

        lock (_gate)
        {
            var number = spec.Number ?? (_orders.Count == 0 ? 1001 : Math.Max(1001, _orders.Keys.Max() + 1));
            if (_orders.ContainsKey(number))
            {
                throw new ArgumentException($"Order {number} already exists.", nameof(spec));
            }

            var created = Truncate(spec.CreatedAt ?? Now);
            var order = new StoredOrder(number, spec, Compute(number, spec), created)
            {
                Status = spec.Status,
                IsOnHold = spec.IsOnHold,
                UpdatedAt = Truncate(spec.UpdatedAt ?? created),
            };
            _orders[number] = order;
            RegisterOrderCustomer(spec, created);
            return Snapshot(order);
        }
    }

    /// <summary>Changes status/hold and bumps <c>updatedAt</c> to the clock (or to <paramref name="updatedAt"/>).</summary>
    public CentraOrderSnapshot? UpdateOrder(int number, string? status = null, bool? isOnHold = null, DateTimeOffset? updatedAt = null)
    {
        lock (_gate)
        {
            if (!_orders.TryGetValue(number, out var o))
            {
                return null;
            }

            o.Status = status ?? o.Status;
            o.IsOnHold = isOnHold ?? o.IsOnHold;
            o.UpdatedAt = Truncate(updatedAt ?? Now);
            return Snapshot(o);
        }
    }

    public CentraOrderSnapshot? Order(int number)
    {
        lock (_gate)
        {
            return _orders.TryGetValue(number, out var o) ? Snapshot(o) : null;
        }
    }

    public IReadOnlyList<CentraOrderSnapshot> Orders()
    {
        lock (_gate)
        {
            return [.. _orders.Values.Select(Snapshot)];
        }
    }

    internal void Reset()
    {
        ResetShipments();
        lock (_gate)
        {
            _orders.Clear();
            _windowCount = 0;
            _windowStart = default;
            AccessToken = _root.Options.CentraToken;
            RateLimit = _root.Options.CentraRateLimit;
            RateWindow = _root.Options.CentraRateWindow;
            TokenPermissions = null;
            OnOrdersQuery = null;
            _ordersQueries = 0;
            ResetCatalogue();
            ResetCustomers();
            ResetProducts();
        }
    }

    /// <summary>Counts one request; returns the time the bucket refills when over the limit.</summary>
    internal DateTimeOffset? CountRequest()
    {
        lock (_gate)
        {
            var now = Now;
            var len = RateWindow <= TimeSpan.Zero ? TimeSpan.FromSeconds(10) : RateWindow;
            if (now >= _windowStart + len || now < _windowStart)
            {
                _windowStart = now;
                _windowCount = 0;
            }

            if (_windowCount >= RateLimit)
            {
                return _windowStart + len;
            }

            _windowCount++;
            return null;
        }
    }

    internal JsonArray OrderByNumber(long number)
    {
        lock (_gate)
        {
            return number is > 0 and <= int.MaxValue && _orders.TryGetValue((int)number, out var o) ? [OrderJson(o)] : [];
        }
    }

    internal JsonArray OrdersChangedSince(DateTimeOffset from, int limit, int page)
    {
        lock (_gate)
        {
            var items = _orders.Values
                .Where(o => o.UpdatedAt >= from)
                .OrderBy(o => o.UpdatedAt)
                .ThenBy(o => o.Number)
                .Skip((int)Math.Min((long)(page - 1) * limit, int.MaxValue))
                .Take(limit)
                .Select(o => (JsonNode)OrderJson(o));
            return [.. items];
        }
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    internal static string DateTimeTz(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- money

    private static Computed Compute(int number, CentraOrderSpec spec)
    {
        var incl = spec.PricesIncludeVat;
        var lines = new List<CentraLineSnapshot>();
        var i = 0;
        foreach (var l in spec.Lines)
        {
            var r = l.TaxPercent / 100m;
            var unit = l.DiscountPercent > 0 ? Money.R2(l.UnitPrice * (1 - (l.DiscountPercent / 100m))) : l.UnitPrice;
            var value = Money.R2(unit * l.Quantity);
            var net = incl ? Money.R2(value / (1 + r)) : value;
            var gross = incl ? value : Money.R2(value * (1 + r));
            lines.Add(new CentraLineSnapshot(
                (number * 100) + (++i), l.Sku ?? (l.ProductNumber + l.Size), l.Quantity, l.TaxPercent,
                l.UnitPrice, unit, value, net, gross, gross - net));
        }

        var maxRate = lines.Max(l => l.TaxPercent);
        var s = spec.Shipping;
        var shipNet = incl ? Money.R2(s / (1 + (maxRate / 100m))) : s;
        var shipGross = incl ? s : Money.R2(s * (1 + (maxRate / 100m)));
        var shipVat = shipGross - shipNet;

        // Voucher split over the line VAT rates in proportion to line gross; remainder on the largest share.
        var grossByRate = lines.GroupBy(l => l.TaxPercent).ToDictionary(g => g.Key, g => g.Sum(l => l.LineGross));
        var totalGross = grossByRate.Values.Sum();
        var v = spec.Voucher?.Amount ?? 0m;
        var shares = grossByRate.Keys.ToDictionary(k => k, _ => 0m);
        if (v != 0m && totalGross != 0m)
        {
            foreach (var k in grossByRate.Keys)
            {
                shares[k] = Money.R2(v * grossByRate[k] / totalGross);
            }

            var largest = grossByRate.OrderByDescending(kv => kv.Value).ThenByDescending(kv => kv.Key).First().Key;
            shares[largest] += v - shares.Values.Sum();
        }

        var breakdown = new List<CentraVatShare>();
        foreach (var rate in grossByRate.Keys.OrderByDescending(k => k))
        {
            var r = rate / 100m;
            var share = shares[rate];
            var shareNet = incl ? Money.R2(share / (1 + r)) : share;
            var shareVat = incl ? share - shareNet : Money.R2(share * r);
            var net = lines.Where(l => l.TaxPercent == rate).Sum(l => l.LineNet) - shareNet + (rate == maxRate ? shipNet : 0m);
            var vat = lines.Where(l => l.TaxPercent == rate).Sum(l => l.LineVat) - shareVat + (rate == maxRate ? shipVat : 0m);
            breakdown.Add(new CentraVatShare(rate, net, vat, net + vat, share));
        }

        var totalVat = breakdown.Sum(b => b.Vat);
        var lineValues = lines.Sum(l => l.LineValue);
        var grand = lineValues + s - v + (incl ? 0m : totalVat);
        return new Computed(lines, breakdown, lineValues, s, shipVat, v, totalVat, breakdown.Sum(b => b.Net), grand);
    }

    private static CentraOrderSnapshot Snapshot(StoredOrder o) => new(
        o.Number, o.Id, o.Status, o.IsOnHold, o.Spec.StoreType, o.Spec.PricesIncludeVat, o.Spec.Currency,
        o.CreatedAt, o.UpdatedAt, o.C.LineValues, o.C.Shipping, o.C.ShippingVat, o.C.Voucher, o.C.TotalVat, o.C.TotalNet,
        o.C.GrandTotal, o.Spec.GiftCertificate, o.C.Lines, o.C.Breakdown);

    // ---------------------------------------------------------------- GraphQL shape

    private static JsonObject Mv(decimal value) => new() { ["value"] = value };

    private static JsonObject OrderJson(StoredOrder o)
    {
        var spec = o.Spec;
        var c = o.C;
        var incl = spec.PricesIncludeVat;
        var dtc = spec.StoreType == "DTC";
        var created = DateTimeTz(o.CreatedAt);
        var json = new JsonObject
        {
            ["__typename"] = dtc ? "DirectToConsumerOrder" : "WholesaleOrder",
            ["id"] = o.Id,
            ["number"] = o.Number,
            ["status"] = o.Status,
            ["isOnHold"] = o.IsOnHold,
            ["createdAt"] = created,
            ["updatedAt"] = DateTimeTz(o.UpdatedAt),
            ["orderDate"] = DateTimeTz(spec.OrderDate ?? o.CreatedAt),
            ["store"] = new JsonObject { ["id"] = spec.StoreId, ["type"] = dtc ? "DIRECT_TO_CONSUMER" : "WHOLESALE" },
            ["market"] = new JsonObject { ["id"] = spec.MarketId, ["name"] = spec.MarketName },
            ["pricelist"] = new JsonObject { ["id"] = spec.PricelistId, ["name"] = spec.PricelistName },
        };
        if (dtc)
        {
            json["customer"] = spec.Customer is null ? null : new JsonObject
            {
                ["id"] = spec.Customer.Id,
                ["email"] = spec.Customer.Email,
                ["firstName"] = spec.Customer.FirstName,
                ["lastName"] = spec.Customer.LastName,
            };
        }
        else
        {
            json["account"] = spec.Account is null ? null : new JsonObject { ["id"] = spec.Account.Id, ["name"] = spec.Account.Name };
            json["buyer"] = spec.Buyer is null ? null : new JsonObject { ["id"] = spec.Buyer.Id, ["email"] = spec.Buyer.Email };
        }

        json["billingAddress"] = AddressJson(spec.BillingAddress);
        json["shippingAddress"] = AddressJson(spec.ShippingAddress ?? spec.BillingAddress);
        json["grandTotal"] = new JsonObject { ["value"] = c.GrandTotal, ["currency"] = new JsonObject { ["code"] = spec.Currency } };
        json["grandTotalNet"] = new JsonObject { ["value"] = c.GrandTotal - c.TotalVat, ["currency"] = new JsonObject { ["code"] = spec.Currency } };
        json["totals"] = new JsonObject
        {
            ["lineValues"] = Mv(c.LineValues),
            ["shipping"] = Mv(c.Shipping),
            ["discounts"] = Mv(-c.Voucher),
            ["taxIncluded"] = Mv(incl ? c.TotalVat : 0m),
            ["taxAdded"] = Mv(incl ? 0m : c.TotalVat),
            ["shippingTaxIncluded"] = Mv(incl ? c.ShippingVat : 0m),
            ["shippingTaxAdded"] = Mv(incl ? 0m : c.ShippingVat),
            ["shippingTaxDeducted"] = Mv(0m),
            ["handling"] = Mv(0m),
            ["taxDeducted"] = Mv(0m),
        };
        var lines = new JsonArray();
        for (var i = 0; i < c.Lines.Count; i++)
        {
            var l = c.Lines[i];
            var s = spec.Lines[i];
            lines.Add(new JsonObject
            {
                ["id"] = l.LineId,
                ["productNumber"] = s.ProductNumber,
                ["productName"] = s.ProductName,
                ["productVariantName"] = s.ProductVariantName,
                ["size"] = s.Size,
                ["quantity"] = l.Quantity,
                ["taxPercent"] = l.TaxPercent,
                ["discountPercent"] = s.DiscountPercent,
                ["hasAnyDiscount"] = s.DiscountPercent > 0,
                ["unitPrice"] = Mv(l.UnitPrice),
                ["unitOriginalPrice"] = Mv(l.UnitOriginalPrice),
                ["lineValue"] = Mv(l.LineValue),
                ["lineValueNet"] = Mv(l.LineNet),
                ["unitPriceNet"] = Mv(incl ? Money.R2(l.UnitPrice / (1 + (l.TaxPercent / 100m))) : l.UnitPrice),
                ["unitOriginalPriceNet"] = Mv(incl ? Money.R2(l.UnitOriginalPrice / (1 + (l.TaxPercent / 100m))) : l.UnitOriginalPrice),
                ["productSize"] = new JsonObject { ["SKU"] = l.Sku },
            });
        }

        json["lines"] = lines;
        json["discountsApplied"] = spec.Voucher is null ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["__typename"] = "AppliedVoucherDiscount",
            ["value"] = Mv(c.Voucher),
            ["date"] = created,
            ["voucherName"] = spec.Voucher.Name,
            ["voucherMethod"] = "CODE",
            ["code"] = spec.Voucher.Code,
            ["voucher"] = new JsonObject { ["id"] = 1, ["name"] = spec.Voucher.Name, ["code"] = spec.Voucher.Code },
        });
        var payments = new JsonArray();
        var pid = o.Number * 10;
        if (spec.GiftCertificate > 0)
        {
            // Gift cards have their own payment history entry types (centra.dev/graphql/paymenthistoryentrytype.html).
            payments.Add(Payment(++pid, created, "GC-" + Wire.Inv(o.Number), spec.GiftCertificate, "Gift card", "AUTH_GIFT_CARD"));
            payments.Add(Payment(++pid, created, "GC-" + Wire.Inv(o.Number), spec.GiftCertificate, "Gift card", "CAPTURE_GIFT_CARD"));
        }

        var rest = c.GrandTotal - spec.GiftCertificate;
        if (rest > 0)
        {
            var psp = spec.PspReference ?? ("PSP-" + Wire.Inv(o.Number));
            payments.Add(Payment(++pid, created, psp, rest, spec.PaymentMethod, "AUTH"));
            payments.Add(Payment(++pid, created, psp, rest, spec.PaymentMethod, "CAPTURE"));
        }

        foreach (var r in o.Refunds)
        {
            // A refund made in Centra (centra.dev/graphql/paymenthistoryentrytype.html: REFUND), value as a
            // MonetaryValue with its currency; the PSP's refund id in externalReference.
            payments.Add(new JsonObject
            {
                ["id"] = r.Id,
                ["createdAt"] = r.CreatedAtText ?? DateTimeTz(r.CreatedAt),
                ["status"] = r.Status,
                ["entryType"] = "REFUND",
                ["externalReference"] = r.ExternalReference,
                ["value"] = new JsonObject { ["value"] = r.Amount, ["currency"] = new JsonObject { ["code"] = r.Currency ?? spec.Currency } },
                ["paymentMethod"] = spec.PaymentMethod,
            });
        }

        foreach (var entry in payments)
        {
            if (entry is JsonObject e && e["value"] is JsonObject v && v["currency"] is null)
            {
                v["currency"] = new JsonObject { ["code"] = spec.Currency };
            }
        }

        json["paymentHistory"] = payments;
        return json;
    }

    /// <summary>
    /// A refund made in Centra: a REFUND entry (status SUCCESS unless given) appended to the order's
    /// payment history, <c>updatedAt</c> bumped to the clock. <paramref name="currency"/> overrides the
    /// order's currency (to provoke a currency mismatch). Returns the entry id, or null for an unknown order.
    /// </summary>
    /// <param name="createdAtText">Fault knob: the entry's <c>createdAt</c> as written on the wire instead of the clock's
    /// time (e.g. a value the connector cannot read). Centra's docs do not say this happens; the knob provokes the
    /// engine's handling of a refund whose time is unknown.</param>
    public int? AddRefund(int number, string externalReference, decimal amount, string? currency = null, string status = "SUCCESS", string? createdAtText = null)
    {
        lock (_gate)
        {
            if (!_orders.TryGetValue(number, out var o))
            {
                return null;
            }

            var id = ++_lastRefundId; // unique across orders, far above the ids of the other entries
            o.Refunds.Add(new StoredRefund(id, externalReference, amount, currency, status, Truncate(Now)) { CreatedAtText = createdAtText });
            o.UpdatedAt = Truncate(Now);
            return id;
        }
    }

    private static JsonObject Payment(int id, string createdAt, string reference, decimal amount, string method, string entryType) => new()
    {
        ["id"] = id,
        ["createdAt"] = createdAt,
        ["status"] = "SUCCESS",
        ["entryType"] = entryType,
        ["externalReference"] = reference,
        ["value"] = Mv(amount),
        ["paymentMethod"] = method,
    };

    private int _lastRefundId = 1_900_000_000;

    private sealed record StoredRefund(int Id, string ExternalReference, decimal Amount, string? Currency, string Status, DateTimeOffset CreatedAt)
    {
        public string? CreatedAtText { get; init; }
    }

    private static JsonObject? AddressJson(CentraAddressSpec? a) => a is null ? null : new JsonObject
    {
        ["firstName"] = a.FirstName,
        ["lastName"] = a.LastName,
        ["companyName"] = a.CompanyName,
        ["address1"] = a.Address1,
        ["address2"] = a.Address2,
        ["city"] = a.City,
        ["zipCode"] = a.ZipCode,
        ["country"] = a.Country is null ? null : new JsonObject { ["code"] = a.Country, ["name"] = Countries.Name(a.Country) },
        ["email"] = a.Email,
        ["phoneNumber"] = a.PhoneNumber,
        ["vatNumber"] = a.VatNumber,
    };

    private sealed record Computed(
        IReadOnlyList<CentraLineSnapshot> Lines,
        IReadOnlyList<CentraVatShare> Breakdown,
        decimal LineValues,
        decimal Shipping,
        decimal ShippingVat,
        decimal Voucher,
        decimal TotalVat,
        decimal TotalNet,
        decimal GrandTotal);

    private sealed class StoredOrder(int number, CentraOrderSpec spec, Computed computed, DateTimeOffset createdAt)
    {
        public int Number { get; } = number;

        public string Id { get; } = spec.Id ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("order-" + number.ToString(CultureInfo.InvariantCulture))))[..32];

        public CentraOrderSpec Spec { get; } = spec;

        public Computed C { get; } = computed;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public required string Status { get; set; }

        public bool IsOnHold { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }

        public List<StoredRefund> Refunds { get; } = [];
    }
}
