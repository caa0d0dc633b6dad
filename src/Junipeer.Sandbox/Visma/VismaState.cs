using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>In-memory Visma Connect + Visma.net ERP data: companies (tenants), clients, tokens, customers, invoices.</summary>
public sealed partial class VismaState
{
    public const int MaxPageSize = 1000;

    public const string AllScopes =
        "vismanet_erp_service_api:read vismanet_erp_service_api:create vismanet_erp_service_api:update vismanet_erp_service_api:delete";

    private static readonly HashSet<string> KnownScopes = new(AllScopes.Split(' '), StringComparer.Ordinal);

    private readonly SandboxState _root;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Company> _companies = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _clientSecrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TokenInfo> _tokens = new(StringComparer.Ordinal);
    private readonly List<string> _issuedTokens = [];
    private readonly Dictionary<(string Tenant, string Client), (DateTimeOffset Start, int Count)> _windows = [];

    internal VismaState(SandboxState root)
    {
        _root = root;
        TokenExpiresInSeconds = root.Options.TokenExpiresInSeconds;
        RateLimit = root.Options.VismaRateLimit;
        RateWindow = root.Options.VismaRateWindow;
    }

    /// <summary>Visma Connect <c>expires_in</c> for newly issued tokens.</summary>
    public int TokenExpiresInSeconds { get; set; }

    /// <summary>Calls allowed per (tenant, client) fixed window.</summary>
    public int RateLimit { get; set; }

    public TimeSpan RateWindow { get; set; }

    public IReadOnlyList<string> TenantIds
    {
        get { lock (_gate) { return [.. _companies.Keys.Order(StringComparer.Ordinal)]; } }
    }

    private DateTimeOffset Now => _root.Clock.GetUtcNow();

    /// <summary>Creates a company tenant and connects its client. Throws <see cref="ArgumentException"/> on bad input.</summary>
    public void CreateCompany(VismaCompanySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec.TenantId) || string.IsNullOrWhiteSpace(spec.ClientId) || string.IsNullOrEmpty(spec.ClientSecret))
        {
            throw new ArgumentException("tenantId, clientId and clientSecret are required.", nameof(spec));
        }

        foreach (var z in spec.VatZones)
        {
            foreach (var t in z.TaxIds.Where(t => !spec.Taxes.Any(x => string.Equals(x.Id, t, StringComparison.OrdinalIgnoreCase))))
            {
                throw new ArgumentException($"VAT zone {z.Id} refers to unknown tax {t}.", nameof(spec));
            }
        }

        foreach (var c in spec.VatCategories)
        {
            foreach (var t in c.TaxIds.Where(t => !spec.Taxes.Any(x => string.Equals(x.Id, t, StringComparison.OrdinalIgnoreCase))))
            {
                throw new ArgumentException($"VAT category {c.Id} refers to unknown tax {t}.", nameof(spec));
            }
        }

        if (!long.TryParse(spec.CustomerStart, NumberStyles.None, CultureInfo.InvariantCulture, out _) ||
            !long.TryParse(spec.CustomerEnd, NumberStyles.None, CultureInfo.InvariantCulture, out _) ||
            !long.TryParse(spec.InvoiceStart, NumberStyles.None, CultureInfo.InvariantCulture, out _) ||
            !long.TryParse(spec.InvoiceEnd, NumberStyles.None, CultureInfo.InvariantCulture, out _) ||
            !long.TryParse(spec.PaymentStart, NumberStyles.None, CultureInfo.InvariantCulture, out _) ||
            !long.TryParse(spec.PaymentEnd, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException("Number series start/end must be numeric.", nameof(spec));
        }

        lock (_gate)
        {
            if (_companies.ContainsKey(spec.TenantId))
            {
                throw new ArgumentException($"Tenant {spec.TenantId} already exists.", nameof(spec));
            }

            if (_clientSecrets.TryGetValue(spec.ClientId, out var secret) && secret != spec.ClientSecret)
            {
                throw new ArgumentException($"Client {spec.ClientId} already exists with another secret.", nameof(spec));
            }

            _clientSecrets[spec.ClientId] = spec.ClientSecret;
            _companies[spec.TenantId] = new Company(spec);
        }
    }

    /// <summary>Ground truth: every invoice of the tenant, ordered by reference number.</summary>
    public IReadOnlyList<VismaInvoiceSnapshot> Invoices(string tenantId)
    {
        lock (_gate)
        {
            return _companies.TryGetValue(tenantId, out var c) ? [.. c.Invoices.Values.Select(Snapshot)] : [];
        }
    }

    /// <summary>Ground truth: every customer payment of the tenant, ordered by payment number.</summary>
    public IReadOnlyList<VismaPaymentSnapshot> Payments(string tenantId)
    {
        lock (_gate)
        {
            return _companies.TryGetValue(tenantId, out var c) ? [.. c.Payments.Values.Select(Snapshot)] : [];
        }
    }

    /// <summary>Ground truth: every customer credit note of the tenant, ordered by number.</summary>
    public IReadOnlyList<VismaCreditNoteSnapshot> CreditNotes(string tenantId)
    {
        lock (_gate)
        {
            return _companies.TryGetValue(tenantId, out var c)
                ? [.. c.CreditNotes.Values.Select(x => new VismaCreditNoteSnapshot(Snapshot(x), [.. x.Applications.Select(a => new VismaPaymentLineSnapshot(a.DocumentType, a.RefNbr, a.AmountPaid))]))]
                : [];
        }
    }

    /// <summary>Ground truth: every customer of the tenant, ordered by number.</summary>
    public IReadOnlyList<VismaCustomerSnapshot> Customers(string tenantId)
    {
        lock (_gate)
        {
            return _companies.TryGetValue(tenantId, out var c) ? [.. c.Customers.Values.Select(Snapshot)] : [];
        }
    }

    /// <summary>Issues a token directly (bypassing HTTP), e.g. for benchmarks.</summary>
    public string IssueTokenFor(string tenantId)
    {
        lock (_gate)
        {
            var c = _companies[tenantId];
            return NewToken(c.TenantId, c.Spec.ClientId, AllScopes);
        }
    }

    /// <summary>Every access token this emulator has issued since it started (revoked and expired ones too), for leak checks.</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get { lock (_gate) { return [.. _issuedTokens]; } }
    }

    /// <summary>Expires every issued token now (forces clients to fetch a new one).</summary>
    public void RevokeAllTokens()
    {
        lock (_gate)
        {
            _tokens.Clear();
        }
    }

    internal void Reset()
    {
        lock (_gate)
        {
            _companies.Clear();
            _clientSecrets.Clear();
            _tokens.Clear();
            _windows.Clear();
            ResetShipments();
            ResetInteractive();
            ResetCustomerSync();
            ResetInventorySync();
            ResetInventoryWebhooks();
            TokenExpiresInSeconds = _root.Options.TokenExpiresInSeconds;
            RateLimit = _root.Options.VismaRateLimit;
            RateWindow = _root.Options.VismaRateWindow;
        }
    }

    // ---------------------------------------------------------------- helpers

    private ApiResult WithCompany(string tenantId, Func<Company, ApiResult> action)
    {
        lock (_gate)
        {
            return _companies.TryGetValue(tenantId, out var c) ? action(c) : new ApiResult(401, Ipp("No license for this company."));
        }
    }

    private static ApiResult Page(IEnumerable<JsonObject> items, IQueryCollection query) => PageOf(items, x => x, query, MaxPageSize);

    /// <summary>One page of a list (1-based pageNumber, pageSize clamped to the max); only the page is projected to JSON.</summary>
    private static ApiResult PageOf<T>(IEnumerable<T> items, Func<T, JsonObject> json, IQueryCollection query, int maxPageSize)
    {
        var all = items as IReadOnlyCollection<T> ?? items.ToList();
        var pageNumber = int.TryParse(Q(query, "pageNumber"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pn) && pn > 0 ? pn : 1;
        var pageSize = int.TryParse(Q(query, "pageSize"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ps) && ps > 0 ? Math.Min(ps, maxPageSize) : maxPageSize;
        var array = new JsonArray();
        foreach (var item in all.Skip((int)Math.Min((long)(pageNumber - 1) * pageSize, int.MaxValue)).Take(pageSize).Select(json))
        {
            item["metadata"] = new JsonObject { ["totalCount"] = all.Count, ["maxPageSize"] = maxPageSize };
            array.Add(item);
        }

        return new ApiResult(200, array);
    }

    /// <summary>Accepted lastModifiedDateTime formats (published parameter descriptions).</summary>
    private static readonly string[] ModifiedFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFF",
    ];

    /// <summary>
    /// Applies lastModifiedDateTime + lastModifiedDateTimeCondition (&gt;, &lt;, &gt;=, &lt;=; the two are
    /// "mutually inclusive"). The time zone of the value is not documented: the emulator reads it
    /// as UTC, the zone it also answers lastModifiedDateTime in. Returns an error text on bad input.
    /// </summary>
    private static string? FilterModified<T>(IQueryCollection query, ref IEnumerable<T> items, Func<T, DateTimeOffset> modified)
    {
        var value = Q(query, "lastModifiedDateTime");
        var condition = Q(query, "lastModifiedDateTimeCondition");
        if (value is null && condition is null)
        {
            return null;
        }

        if (value is null || condition is null)
        {
            return "lastModifiedDateTime and lastModifiedDateTimeCondition must be used together.";
        }

        if (!DateTime.TryParseExact(value, ModifiedFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt))
        {
            return $"Invalid lastModifiedDateTime '{value}'.";
        }

        var at = new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc));
        Func<DateTimeOffset, bool>? test = condition switch
        {
            ">" => t => t > at,
            "<" => t => t < at,
            ">=" => t => t >= at,
            "<=" => t => t <= at,
            _ => null,
        };
        if (test is null)
        {
            return $"Invalid lastModifiedDateTimeCondition '{condition}'.";
        }

        // Compare at the precision the API shows (milliseconds), so a value copied from a response matches itself.
        items = items.Where(x => test(TruncateToMilliseconds(modified(x)))).ToList();
        return null;
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>Keeps the items whose field equals the query parameter, when the request carries it.</summary>
    private static IEnumerable<T> WhereEquals<T>(IEnumerable<T> items, IQueryCollection query, string name, Func<T, string?> field, StringComparison comparison) =>
        Q(query, name) is { } value ? items.Where(x => string.Equals(field(x), value, comparison)) : items;

    private static string? Q(IQueryCollection query, string name)
    {
        foreach (var kv in query)
        {
            if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(kv.Value.ToString()))
            {
                return kv.Value.ToString();
            }
        }

        return null;
    }

    internal static ApiResult Bad(string text) => new(400, Message(text));

    internal static ApiResult NotFound(string text) => new(404, Message(text));

    internal static JsonObject Message(string text) => new() { ["message"] = $"VismaId: {Guid.NewGuid()}. {text}" };

    internal static JsonObject Ipp(string message, string faultCode = "12027") => new()
    {
        ["ExceptionType"] = "IPPException",
        ["ExceptionMessage"] = message,
        ["ExceptionFaultCode"] = faultCode,
        ["ExceptionMessageID"] = $"{faultCode}_{Guid.NewGuid()}",
        ["ExceptionDetails"] = "",
    };

    private static string TimeStampOf(long version)
    {
        var bytes = BitConverter.GetBytes(version);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return Convert.ToBase64String(bytes);
    }

    private static string ETagOf(long version) => "\"" + TimeStampOf(version) + "\"";

    private static VismaInvoiceSnapshot Snapshot(Invoice x) => new(
        x.ReferenceNumber, x.CustomerNumber, x.CustomerRefNumber, x.ExternalReference, x.InvoiceText, x.CurrencyId,
        x.DocumentDate, x.VatZoneId, x.Status, x.DetailTotal, x.VatTaxableTotal, x.VatTotal, x.Amount, x.Balance,
        [.. x.TaxDetails],
        [.. x.Lines.Select(l => new VismaInvoiceLineSnapshot(l.LineNumber, l.InventoryNumber, l.Description, l.Quantity, l.UnitPrice, l.DiscountAmount, l.Amount, l.VatCodeId))],
        x.Created);

    private static VismaPaymentSnapshot Snapshot(Payment x) => new(
        x.RefNbr, x.Type, x.Status, x.CustomerNumber, x.PaymentRef, x.PaymentMethodId, x.CashAccount, x.Currency,
        x.ApplicationDate, x.PaymentAmount, x.InvoiceText,
        [.. x.Lines.Select(l => new VismaPaymentLineSnapshot(l.DocumentType, l.RefNbr, l.AmountPaid, l.BalanceWriteOff, l.WriteOffReasonCode))],
        x.Created);

    private static VismaCustomerSnapshot Snapshot(Customer x) => new(
        x.Number, x.InternalId, x.Name, x.Status, x.ClassId, x.VatZoneId, x.CurrencyId, x.MainContact?.Email,
        x.VatRegistrationId, x.CorporateId, x.MainAddress?.CountryId,
        new Dictionary<string, string>(x.Attributes, StringComparer.OrdinalIgnoreCase))
    {
        AddressLine1 = x.MainAddress?.Line1,
        AddressLine2 = x.MainAddress?.Line2,
        PostalCode = x.MainAddress?.PostalCode,
        City = x.MainAddress?.City,
        LastModified = x.LastModified,
    };
}
