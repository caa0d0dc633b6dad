using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>In-memory Visma Connect + Visma.net ERP data: companies (tenants), clients, tokens, customers, invoices.</summary>
public sealed class VismaState
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
            TokenExpiresInSeconds = _root.Options.TokenExpiresInSeconds;
            RateLimit = _root.Options.VismaRateLimit;
            RateWindow = _root.Options.VismaRateWindow;
        }
    }

    // ---------------------------------------------------------------- Visma Connect

    internal (int Status, JsonObject Body) IssueToken(string? grantType, string? clientId, string? clientSecret, string? scope, string? tenantId)
    {
        if (!string.Equals(grantType, "client_credentials", StringComparison.Ordinal))
        {
            return (400, new JsonObject { ["error"] = "unsupported_grant_type" });
        }

        lock (_gate)
        {
            if (clientId is null || !_clientSecrets.TryGetValue(clientId, out var secret) || !string.Equals(secret, clientSecret, StringComparison.Ordinal))
            {
                return (400, new JsonObject { ["error"] = "invalid_client" });
            }

            var requested = string.IsNullOrWhiteSpace(scope) ? AllScopes : scope.Trim();
            if (requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => !KnownScopes.Contains(s)))
            {
                return (400, new JsonObject { ["error"] = "invalid_scope" });
            }

            if (tenantId is null || !_companies.TryGetValue(tenantId, out var company) ||
                !string.Equals(company.Spec.ClientId, clientId, StringComparison.Ordinal))
            {
                return (400, new JsonObject { ["error"] = "invalid_tenant" });
            }

            var token = NewToken(company.TenantId, clientId, requested);
            return (200, new JsonObject
            {
                ["access_token"] = token,
                ["expires_in"] = TokenExpiresInSeconds,
                ["token_type"] = "Bearer",
                ["scope"] = requested,
            });
        }
    }

    private string NewToken(string tenantId, string clientId, string scope)
    {
        var token = "sbx." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = new TokenInfo(tenantId, clientId, Now.AddSeconds(TokenExpiresInSeconds), scope);
        _root.Stats.TokenIssued(tenantId);
        return token;
    }

    internal TokenInfo? ValidateToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        lock (_gate)
        {
            return _tokens.TryGetValue(token, out var info) && info.ExpiresAt > Now && _companies.ContainsKey(info.TenantId) ? info : null;
        }
    }

    /// <summary>Counts one call against the (tenant, client) fixed window.</summary>
    internal RateDecision CountCall(string tenantId, string clientId, bool consume = true)
    {
        lock (_gate)
        {
            var now = Now;
            var len = RateWindow <= TimeSpan.Zero ? TimeSpan.FromHours(1) : RateWindow;
            var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % len.Ticks), TimeSpan.Zero);
            var key = (tenantId, clientId);
            if (!_windows.TryGetValue(key, out var w) || w.Start != start)
            {
                w = (start, 0);
            }

            var reset = (int)Math.Ceiling((start + len - now).TotalSeconds);
            if (w.Count >= RateLimit)
            {
                _windows[key] = w;
                return new RateDecision(false, RateLimit, 0, Math.Max(reset, 1));
            }

            if (consume)
            {
                w.Count++;
            }

            _windows[key] = w;
            return new RateDecision(true, RateLimit, RateLimit - w.Count, reset);
        }
    }

    // ---------------------------------------------------------------- reference data

    internal ApiResult ListCustomerClasses(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.CustomerClasses.OrderBy(x => x.Id, StringComparer.Ordinal).Select(cc => new JsonObject
        {
            ["id"] = cc.Id,
            ["description"] = cc.Description,
            ["taxZoneId"] = cc.TaxZoneId,
            ["requiredTaxzoneId"] = cc.RequiredTaxzoneId,
            ["paymentMethodId"] = cc.PaymentMethodId,
            ["invoiceOrdersSeparately"] = cc.InvoiceOrdersSeparately,
            ["attributes"] = new JsonArray(),
        }), query));

    internal ApiResult ListVatZones(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.VatZones.OrderBy(x => x.Id, StringComparer.Ordinal).Select(z => ZoneJson(c, z)), query));

    internal ApiResult ListVatCategories(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.VatCategories.OrderBy(x => x.Id, StringComparer.Ordinal).Select(cat => CategoryJson(c, cat)), query));

    internal ApiResult GetVatCategory(string tenantId, string id) => WithCompany(tenantId, c =>
        c.Categories.TryGetValue(id, out var cat) ? new ApiResult(200, CategoryJson(c, cat)) : NotFound($"VAT category '{id}' was not found."));

    internal ApiResult ListTaxes(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.Taxes.OrderBy(x => x.Id, StringComparer.Ordinal).Select(t => new JsonObject
        {
            ["vatId"] = t.Id,
            ["description"] = t.Description,
            ["type"] = "Vat",
            ["reverseVat"] = false,
            ["schedules"] = new JsonArray([.. t.Rates.OrderBy(r => r.EffectiveDate).Select(r => (JsonNode)new JsonObject
            {
                ["startDate"] = Wire.IsoDate(r.EffectiveDate),
                ["vatRate"] = r.Rate,
            })]),
            ["zones"] = new JsonArray([.. c.Spec.VatZones.Where(z => z.TaxIds.Contains(t.Id, StringComparer.OrdinalIgnoreCase)).Select(z => (JsonNode)JsonValue.Create(z.Id))]),
            ["categories"] = new JsonArray([.. c.Spec.VatCategories.Where(z => z.TaxIds.Contains(t.Id, StringComparer.OrdinalIgnoreCase)).Select(z => (JsonNode)JsonValue.Create(z.Id))]),
        }), query));

    private static JsonObject ZoneJson(Company c, VatZoneSpec z)
    {
        var cat = z.DefaultVatCategory is not null && c.Categories.TryGetValue(z.DefaultVatCategory, out var dc) ? dc : null;
        return new JsonObject
        {
            ["id"] = z.Id,
            ["description"] = z.Description,
            ["defaultVatCategory"] = z.DefaultVatCategory,
            ["defaultTaxCategory"] = cat is null ? null : new JsonObject { ["number"] = cat.Id, ["description"] = cat.Description },
            ["errorInfo"] = null,
        };
    }

    private static JsonObject CategoryJson(Company c, VatCategorySpec cat) => new()
    {
        ["vatCategoryId"] = cat.Id,
        ["description"] = cat.Description,
        ["active"] = cat.Active,
        ["excludeListedTaxes"] = false,
        ["lastModifiedDateTime"] = "2020-01-01T00:00:00",
        ["vatCategoryLines"] = new JsonArray([.. cat.TaxIds.Where(c.Taxes.ContainsKey).Select(tid => c.Taxes[tid]).Select(t => (JsonNode)new JsonObject
        {
            ["vatId"] = t.Id,
            ["description"] = t.Description,
            ["type"] = "Vat",
            ["calculateOn"] = "CalcOnItemAmount",
            ["vatRates"] = new JsonArray([.. t.Rates.OrderBy(r => r.EffectiveDate).Select(r => (JsonNode)new JsonObject
            {
                ["effectiveDate"] = Wire.IsoDate(r.EffectiveDate),
                ["vatRate"] = r.Rate,
            })]),
        })]),
    };

    // ---------------------------------------------------------------- customers

    internal ApiResult ListCustomers(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<Customer> items = c.Customers.Values;
        if (Q(query, "name") is { } name)
        {
            items = items.Where(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
        }

        if (Q(query, "status") is { } status)
        {
            items = items.Where(x => string.Equals(x.Status, status, StringComparison.OrdinalIgnoreCase));
        }

        // VERIFY (contract): exact, case-insensitive e-mail match.
        if (Q(query, "email") is { } email)
        {
            items = items.Where(x => string.Equals(x.MainContact?.Email, email, StringComparison.OrdinalIgnoreCase));
        }

        if (Q(query, "vatRegistrationId") is { } vatNo)
        {
            items = items.Where(x => string.Equals(x.VatRegistrationId, vatNo, StringComparison.OrdinalIgnoreCase));
        }

        if (Q(query, "corporateId") is { } corp)
        {
            items = items.Where(x => string.Equals(x.CorporateId, corp, StringComparison.OrdinalIgnoreCase));
        }

        if (Q(query, "attributes") is { } attrs)
        {
            JsonObject? filter;
            try
            {
                filter = JsonNode.Parse(attrs) as JsonObject;
            }
            catch (JsonException)
            {
                filter = null;
            }

            if (filter is null)
            {
                return Bad("The attributes filter must be a JSON object, e.g. {\"ID\":\"value\"}.");
            }

            var pairs = filter.Select(kv => (kv.Key, Value: Wire.AsString(kv.Value))).ToList();
            items = items.Where(x => pairs.All(p => x.Attributes.TryGetValue(p.Key, out var v) && string.Equals(v, p.Value, StringComparison.Ordinal)));
        }

        return Page(items.Select(x => CustomerJson(c, x)), query);
    });

    internal ApiResult GetCustomer(string tenantId, string number) => WithCompany(tenantId, c =>
        c.Customers.TryGetValue(number, out var x)
            ? new ApiResult(200, CustomerJson(c, x), ETag: ETagOf(x.Version))
            : NotFound($"Customer '{number}' was not found."));

    internal ApiResult CreateCustomer(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var name = Wire.Str(body, "name");
        if (string.IsNullOrWhiteSpace(name))
        {
            return Bad("'Customer Name' cannot be empty.");
        }

        var classId = Wire.Str(body, "customerClassId") ?? c.Spec.CustomerClasses.FirstOrDefault()?.Id;
        if (classId is null || !c.Classes.TryGetValue(classId, out var cls))
        {
            return Bad($"Customer class '{classId}' cannot be found in the system.");
        }

        var zoneId = Wire.Str(body, "vatZoneId");
        if (zoneId is not null && !c.Zones.ContainsKey(zoneId))
        {
            return Bad($"VAT zone '{zoneId}' cannot be found in the system.");
        }

        // overrideWithClassValues (bare bool) or no explicit zone: the class default applies.
        zoneId ??= cls.TaxZoneId;
        if (cls.RequiredTaxzoneId && zoneId is null)
        {
            return Bad($"Customer class '{cls.Id}' requires a VAT zone.");
        }

        var number = Wire.Str(body, "number");
        if (number is not null)
        {
            if (c.Customers.ContainsKey(number))
            {
                return Bad($"A customer with the number '{number}' already exists.");
            }
        }
        else
        {
            number = c.CustomerSeries.Peek();
            if (number is null)
            {
                return Bad($"Cannot generate the next number for the {c.CustomerSeries.Name} sequence.");
            }

            c.CustomerSeries.Consume(number);
        }

        var now = Now;
        var customer = new Customer
        {
            Number = number,
            InternalId = c.NextInternalId++,
            Name = name,
            Status = Wire.Str(body, "status") ?? "Active",
            ClassId = cls.Id,
            CurrencyId = Wire.Str(body, "currencyId") ?? c.Spec.BaseCurrency,
            VatZoneId = zoneId,
            VatRegistrationId = Wire.Str(body, "vatRegistrationId"),
            CorporateId = Wire.Str(body, "corporateId"),
            MainAddress = ReadAddress(Wire.Obj(body, "mainAddress")),
            InvoiceAddress = ReadAddress(Wire.Obj(body, "invoiceAddress")),
            MainContact = ReadContact(Wire.Obj(body, "mainContact")),
            Created = now,
            LastModified = now,
            Version = c.NextVersion(),
        };
        foreach (var line in (Wire.Arr(body, "attributeLines") ?? []).OfType<JsonObject>())
        {
            var id = Wire.Str(line, "attributeId");
            if (id is not null)
            {
                customer.Attributes[id] = Wire.Str(line, "attributeValue") ?? "";
            }
        }

        c.Customers[number] = customer;
        return new ApiResult(201, null, "/v1/customer/" + Uri.EscapeDataString(number), ETagOf(customer.Version));
    });

    private static Address? ReadAddress(JsonObject? o) => o is null ? null : new Address(
        Wire.Str(o, "addressLine1"), Wire.Str(o, "addressLine2"), Wire.Str(o, "addressLine3"),
        Wire.Str(o, "postalCode"), Wire.Str(o, "city"), Wire.Str(o, "countryId"));

    private static Contact? ReadContact(JsonObject? o) => o is null ? null : new Contact(
        Wire.Str(o, "name"), Wire.Str(o, "email"), Wire.Str(o, "phone1"));

    private static JsonObject CustomerJson(Company c, Customer x)
    {
        var cls = c.Classes[x.ClassId];
        var zone = x.VatZoneId is not null && c.Zones.TryGetValue(x.VatZoneId, out var z) ? z : null;
        return new JsonObject
        {
            ["internalId"] = x.InternalId,
            ["number"] = x.Number,
            ["name"] = x.Name,
            ["status"] = x.Status,
            ["mainAddress"] = AddressJson(x.MainAddress, x.InternalId * 10 + 1),
            ["mainContact"] = x.MainContact is null ? null : new JsonObject
            {
                ["contactId"] = x.InternalId * 10 + 2,
                ["name"] = x.MainContact.Name,
                ["email"] = x.MainContact.Email,
                ["phone1"] = x.MainContact.Phone1,
            },
            ["invoiceAddress"] = AddressJson(x.InvoiceAddress ?? x.MainAddress, x.InternalId * 10 + 3),
            ["customerClass"] = new JsonObject { ["id"] = cls.Id, ["description"] = cls.Description },
            ["currencyId"] = x.CurrencyId,
            ["vatRegistrationId"] = x.VatRegistrationId,
            ["corporateId"] = x.CorporateId,
            ["vatZone"] = zone is null ? null : ZoneJson(c, zone),
            ["attributes"] = new JsonArray([.. x.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Key,
                ["value"] = a.Value,
                ["description"] = a.Key,
            })]),
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["createdDateTime"] = Wire.Iso(x.Created),
            ["timeStamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
    }

    private static JsonObject? AddressJson(Address? a, int id) => a is null ? null : new JsonObject
    {
        ["addressId"] = id,
        ["addressLine1"] = a.Line1,
        ["addressLine2"] = a.Line2,
        ["addressLine3"] = a.Line3,
        ["postalCode"] = a.PostalCode,
        ["city"] = a.City,
        ["country"] = a.CountryId is null ? null : new JsonObject { ["id"] = a.CountryId, ["name"] = Countries.Name(a.CountryId) },
    };

    // ---------------------------------------------------------------- customer invoices

    internal ApiResult CreateInvoice(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var customerNumber = Wire.Str(body, "customerNumber");
        if (customerNumber is null || !c.Customers.TryGetValue(customerNumber, out var customer))
        {
            return Bad($"Error creating customer invoice. Customer '{customerNumber}' cannot be found in the system.");
        }

        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        var docDate = today;
        if (Wire.Str(body, "documentDate") is { } ds)
        {
            if (!DateTime.TryParse(ds, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            {
                return Bad($"Invalid documentDate '{ds}'.");
            }

            docDate = DateOnly.FromDateTime(dt);
        }

        var zoneId = Wire.Str(body, "customerVatZoneId") ?? customer.VatZoneId;
        if (zoneId is null || !c.Zones.TryGetValue(zoneId, out var zone))
        {
            return Bad($"VAT zone '{zoneId}' cannot be found in the system.");
        }

        var lines = new List<InvoiceLine>();
        var lineTaxes = new List<(InvoiceLine Line, List<string> TaxIds)>();
        var lineNo = 0;
        foreach (var node in Wire.Arr(body, "invoiceLines") ?? [])
        {
            if (node is not JsonObject l)
            {
                return Bad("Each invoice line must be an object.");
            }

            var op = Wire.Str(l, "operation");
            if (op is not null && !string.Equals(op, "Insert", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Operation '{op}' is not valid on a new document.");
            }

            var item = Wire.Str(l, "inventoryNumber");
            if (item is not null && c.StockItems.Contains(item))
            {
                return Bad($"Only a non-stock item can be selected. '{item}' is a stock item.");
            }

            var vatCode = Wire.Str(l, "vatCodeId") ?? zone.DefaultVatCategory;
            if (vatCode is null || !c.Categories.TryGetValue(vatCode, out var category))
            {
                return Bad($"VAT category '{vatCode}' cannot be found in the system.");
            }

            if (!category.Active)
            {
                return Bad($"VAT category '{vatCode}' is inactive.");
            }

            var qty = Wire.Dec(l, "quantity") ?? 1m;
            var price = Wire.Dec(l, "unitPriceInCurrency") ?? 0m;
            var discount = Wire.Dec(l, "discountAmountInCurrency");
            if (discount is null && Wire.Dec(l, "discountPercent") is { } pct)
            {
                discount = Money.R2(qty * price * pct / 100m);
            }

            var manual = Wire.Dec(l, "manualAmountInCurrency");
            var amount = manual ?? Money.R2((qty * price) - (discount ?? 0m));
            var line = new InvoiceLine(++lineNo, item, Wire.Str(l, "description"), qty, price, discount ?? 0m, manual, Money.R2(amount), category.Id, Wire.Str(l, "uom"));
            lines.Add(line);
            lineTaxes.Add((line, [.. category.TaxIds.Where(t => zone.TaxIds.Contains(t, StringComparer.OrdinalIgnoreCase))]));
        }

        // Per tax: taxable = sum of line amounts; VAT = round(taxable x rate), rate effective at documentDate.
        var details = new List<VismaTaxDetail>();
        foreach (var taxId in lineTaxes.SelectMany(x => x.TaxIds).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            var tax = c.Taxes[taxId];
            var rate = tax.Rates.Where(r => r.EffectiveDate <= docDate).OrderByDescending(r => r.EffectiveDate).FirstOrDefault();
            if (rate is null)
            {
                return Bad($"No rate of VAT '{tax.Id}' is effective on {docDate:yyyy-MM-dd}.");
            }

            var taxable = lineTaxes.Where(x => x.TaxIds.Contains(taxId, StringComparer.OrdinalIgnoreCase)).Sum(x => x.Line.Amount);
            details.Add(new VismaTaxDetail(tax.Id, rate.Rate, taxable, Money.R2(taxable * rate.Rate / 100m)));
        }

        // taxDetailLines: manual VAT adjustment, allowed within +-0.05 per tax (taxableAmount is not checked).
        foreach (var node in Wire.Arr(body, "taxDetailLines") ?? [])
        {
            if (node is not JsonObject t)
            {
                continue;
            }

            var taxId = Wire.Str(t, "taxId");
            var idx = details.FindIndex(d => string.Equals(d.TaxId, taxId, StringComparison.OrdinalIgnoreCase));
            if (idx < 0)
            {
                return Bad($"VAT '{taxId}' does not apply to any line of this document.");
            }

            if (Wire.Dec(t, "vatAmount") is { } vat)
            {
                if (Math.Abs(vat - details[idx].VatAmount) > 0.05m)
                {
                    return Bad($"The VAT amount {Wire.Inv(vat)} for VAT '{taxId}' differs from the calculated amount {Wire.Inv(details[idx].VatAmount)} by more than 0.05.");
                }

                details[idx] = details[idx] with { VatAmount = Money.R2(vat) };
            }
        }

        string? reference;
        if (Wire.Bool(body, "overrideNumberSeries") == true && Wire.Str(body, "referenceNumber") is { } manualRef)
        {
            if (c.Invoices.ContainsKey(manualRef))
            {
                return Bad($"A document with the reference number '{manualRef}' already exists.");
            }

            reference = manualRef;
        }
        else
        {
            reference = c.InvoiceSeries.Peek();
            if (reference is null)
            {
                return Bad($"Cannot generate the next number for the {c.InvoiceSeries.Name} sequence.");
            }

            c.InvoiceSeries.Consume(reference);
        }

        var hold = Wire.Bool(body, "hold") ?? false;
        var now = Now;
        var detailTotal = lines.Sum(x => x.Amount);
        var vatTotal = details.Sum(d => d.VatAmount);
        var invoice = new Invoice
        {
            ReferenceNumber = reference,
            CustomerNumber = customer.Number,
            DocumentDate = docDate,
            CurrencyId = Wire.Str(body, "currencyId") ?? customer.CurrencyId ?? c.Spec.BaseCurrency,
            VatZoneId = zone.Id,
            CustomerRefNumber = Wire.Str(body, "customerRefNumber"),
            ExternalReference = Wire.Str(body, "externalReference"),
            InvoiceText = Wire.Str(body, "invoiceText"),
            Note = Wire.Str(body, "note"),
            Hold = hold,
            Status = hold ? "Hold" : "Balanced",
            DetailTotal = detailTotal,
            VatTaxableTotal = lineTaxes.Where(x => x.TaxIds.Count > 0).Sum(x => x.Line.Amount),
            VatTotal = vatTotal,
            Amount = detailTotal + vatTotal,
            Balance = 0m,
            Created = now,
            LastModified = now,
            Version = c.NextVersion(),
        };
        invoice.Lines.AddRange(lines);
        invoice.TaxDetails.AddRange(details);
        c.Invoices[reference] = invoice;
        return new ApiResult(201, null, "/v1/customerinvoice/" + Uri.EscapeDataString(reference), ETagOf(invoice.Version));
    });

    internal ApiResult ListInvoices(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<Invoice> items = c.Invoices.Values;

        // VERIFY (contract): exact match on customerRefNumber / externalReference.
        if (Q(query, "customerRefNumber") is { } crn)
        {
            items = items.Where(x => string.Equals(x.CustomerRefNumber, crn, StringComparison.Ordinal));
        }

        if (Q(query, "externalReference") is { } ext)
        {
            items = items.Where(x => string.Equals(x.ExternalReference, ext, StringComparison.Ordinal));
        }

        if (Q(query, "customer") is { } cust)
        {
            items = items.Where(x => string.Equals(x.CustomerNumber, cust, StringComparison.OrdinalIgnoreCase));
        }

        if (Q(query, "status") is { } status)
        {
            items = items.Where(x => string.Equals(x.Status, status, StringComparison.OrdinalIgnoreCase));
        }

        return Page(items.Select(x => InvoiceJson(c, x)), query);
    });

    internal ApiResult GetInvoice(string tenantId, string reference) => WithCompany(tenantId, c =>
        c.Invoices.TryGetValue(reference, out var x)
            ? new ApiResult(200, InvoiceJson(c, x), ETag: ETagOf(x.Version))
            : NotFound($"Customer invoice '{reference}' was not found."));

    internal ApiResult ReleaseInvoice(string tenantId, string reference) => WithCompany(tenantId, c =>
    {
        if (!c.Invoices.TryGetValue(reference, out var x))
        {
            return NotFound($"Customer invoice '{reference}' was not found.");
        }

        // Wording UNCERTAIN (contract).
        if (x.Status is "Open" or "Closed")
        {
            return Bad("Document is already released.");
        }

        if (x.Status == "Hold")
        {
            return Bad("Document is on hold and cannot be released.");
        }

        x.Status = "Open";
        x.Balance = x.Amount;
        x.LastModified = Now;
        x.Version = c.NextVersion();
        return new ApiResult(200, new JsonObject
        {
            ["actionId"] = Guid.NewGuid().ToString(),
            ["actionResult"] = "Done",
            ["errorInfo"] = null,
        });
    });

    private static JsonObject InvoiceJson(Company c, Invoice x)
    {
        var customer = c.Customers[x.CustomerNumber];
        var zone = c.Zones[x.VatZoneId];
        return new JsonObject
        {
            ["referenceNumber"] = x.ReferenceNumber,
            ["documentType"] = "Invoice",
            ["status"] = x.Status,
            ["hold"] = x.Hold,
            ["customer"] = new JsonObject { ["number"] = customer.Number, ["name"] = customer.Name },
            ["documentDate"] = Wire.IsoDate(x.DocumentDate),
            ["currencyId"] = x.CurrencyId,
            ["exchangeRate"] = 1.0m,
            ["amount"] = x.Amount,
            ["amountInCurrency"] = x.Amount,
            ["balance"] = x.Balance,
            ["balanceInCurrency"] = x.Balance,
            ["vatTotal"] = x.VatTotal,
            ["vatTaxableTotal"] = x.VatTaxableTotal,
            ["detailTotal"] = x.DetailTotal,
            ["customerRefNumber"] = x.CustomerRefNumber,
            ["externalReference"] = x.ExternalReference,
            ["invoiceText"] = x.InvoiceText,
            ["note"] = x.Note,
            ["customerVatZone"] = new JsonObject { ["id"] = zone.Id, ["description"] = zone.Description },
            ["taxDetails"] = new JsonArray([.. x.TaxDetails.Select(d => (JsonNode)new JsonObject
            {
                ["taxId"] = d.TaxId,
                ["vatRate"] = d.VatRate,
                ["taxableAmount"] = d.TaxableAmount,
                ["vatAmount"] = d.VatAmount,
            })]),
            ["invoiceLines"] = new JsonArray([.. x.Lines.Select(l => (JsonNode)new JsonObject
            {
                ["lineNumber"] = l.LineNumber,
                ["inventoryNumber"] = l.InventoryNumber,
                ["description"] = l.Description,
                ["quantity"] = l.Quantity,
                ["unitPriceInCurrency"] = l.UnitPrice,
                ["manualAmountInCurrency"] = l.ManualAmount,
                ["amountInCurrency"] = l.Amount,
                ["discountAmountInCurrency"] = l.DiscountAmount,
                ["vatCode"] = new JsonObject { ["id"] = l.VatCodeId, ["description"] = c.Categories[l.VatCodeId].Description },
                ["uom"] = l.Uom,
            })]),
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["createdDateTime"] = Wire.Iso(x.Created),
            ["timeStamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
    }

    // ---------------------------------------------------------------- customer payments

    /// <summary>
    /// POST /v1/customerPayment (value-wrapped PaymentUpdateDto). Only <c>type</c> Payment with
    /// application lines to released invoices of the same customer and currency is emulated.
    /// </summary>
    internal ApiResult CreatePayment(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var type = Wire.Str(body, "type") ?? "Payment";
        if (!string.Equals(type, "Payment", StringComparison.OrdinalIgnoreCase))
        {
            return Bad($"Error creating payment. Payment type '{type}' is not supported by the sandbox.");
        }

        var customerNumber = Wire.Str(body, "customer");
        if (customerNumber is null || !c.Customers.TryGetValue(customerNumber, out var customer))
        {
            return Bad($"Error creating payment. Customer '{customerNumber}' cannot be found in the system.");
        }

        var methodId = Wire.Str(body, "paymentMethod");
        if (methodId is null || !c.PaymentMethods.TryGetValue(methodId, out var method))
        {
            return Bad($"Error creating payment. Payment method '{methodId}' cannot be found in the system.");
        }

        var cashAccount = Wire.Str(body, "cashAccount");
        if (cashAccount is null || !c.CashAccounts.Contains(cashAccount))
        {
            return Bad($"Error creating payment. Cash account '{cashAccount}' cannot be found in the system.");
        }

        var date = DateOnly.FromDateTime(Now.UtcDateTime);
        if (Wire.Str(body, "applicationDate") is { } ds)
        {
            if (!DateTime.TryParse(ds, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            {
                return Bad($"Invalid applicationDate '{ds}'.");
            }

            date = DateOnly.FromDateTime(dt);
        }

        var currency = Wire.Str(body, "currency") ?? customer.CurrencyId ?? c.Spec.BaseCurrency;
        var amount = Wire.Dec(body, "paymentAmount");
        if (amount is null || amount <= 0m)
        {
            return Bad("Error creating payment. 'Payment Amount' must be greater than 0.");
        }

        var lines = new List<PaymentLine>();
        foreach (var node in Wire.Arr(body, "paymentLines") ?? [])
        {
            if (node is not JsonObject l)
            {
                return Bad("Each payment line must be an object.");
            }

            var op = Wire.Str(l, "operation");
            if (op is not null && !string.Equals(op, "Insert", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Operation '{op}' is not valid on a new document.");
            }

            var docType = Wire.Str(l, "documentType") ?? "Invoice";
            if (!string.Equals(docType, "Invoice", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Error creating payment. Document type '{docType}' is not supported by the sandbox (use Invoice).");
            }

            var refNbr = Wire.Str(l, "refNbr");
            if (refNbr is null || !c.Invoices.TryGetValue(refNbr, out var invoice))
            {
                return Bad($"Error creating payment. Error: AdjdRefNbr '{refNbr}' cannot be found in the system.");
            }

            if (!string.Equals(invoice.CustomerNumber, customer.Number, StringComparison.Ordinal))
            {
                return Bad($"Error creating payment. Invoice '{refNbr}' belongs to customer '{invoice.CustomerNumber}', not '{customer.Number}'.");
            }

            if (invoice.Status != "Open")
            {
                return Bad($"Error creating payment. Invoice '{refNbr}' has status {invoice.Status}; only released (Open) documents can be paid.");
            }

            if (!string.Equals(invoice.CurrencyId, currency, StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Error creating payment. The payment currency {currency} differs from the currency {invoice.CurrencyId} of invoice '{refNbr}'.");
            }

            var paid = Wire.Dec(l, "amountPaid") ?? invoice.Balance;
            if (paid <= 0m)
            {
                return Bad($"Error creating payment. 'Amount Paid' on invoice '{refNbr}' must be greater than 0.");
            }

            if (paid + lines.Where(x => x.RefNbr == refNbr).Sum(x => x.AmountPaid) > invoice.Balance)
            {
                return Bad($"Error creating payment. 'Amount Paid' {Wire.Inv(paid)} exceeds the balance {Wire.Inv(invoice.Balance)} of invoice '{refNbr}'.");
            }

            lines.Add(new PaymentLine("Invoice", invoice.ReferenceNumber, Money.R2(paid)));
        }

        // The emulator keeps payments fully applied: paymentAmount must equal the lines' sum.
        var applied = lines.Sum(x => x.AmountPaid);
        if (lines.Count > 0 && applied != amount)
        {
            return Bad($"Error creating payment. The payment amount {Wire.Inv(amount.Value)} differs from the applied amount {Wire.Inv(applied)}.");
        }

        var number = c.PaymentSeries.Peek();
        if (number is null)
        {
            return Bad($"Cannot generate the next number for the {c.PaymentSeries.Name} sequence.");
        }

        c.PaymentSeries.Consume(number);
        var hold = Wire.Bool(body, "hold") ?? false;
        var now = Now;
        var payment = new Payment
        {
            RefNbr = number,
            Type = "Payment",
            CustomerNumber = customer.Number,
            ApplicationDate = date,
            PaymentRef = Wire.Str(body, "paymentRef"),
            PaymentMethodId = method.Id,
            CashAccount = cashAccount,
            Currency = currency,
            PaymentAmount = Money.R2(amount.Value),
            InvoiceText = Wire.Str(body, "invoiceText"),
            Hold = hold,
            Status = hold ? "Hold" : "Balanced",
            Created = now,
            LastModified = now,
            Version = c.NextVersion(),
        };
        payment.Lines.AddRange(lines);
        c.Payments[number] = payment;
        return new ApiResult(201, null, "/v1/customerPayment/" + Uri.EscapeDataString(number), ETagOf(payment.Version));
    });

    internal ApiResult ListPayments(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<Payment> items = c.Payments.Values;
        if (Q(query, "invoiceRefNbr") is { } invoiceRef)
        {
            items = items.Where(x => x.Lines.Any(l => string.Equals(l.RefNbr, invoiceRef, StringComparison.Ordinal)));
        }

        if (Q(query, "customer") is { } cust)
        {
            items = items.Where(x => string.Equals(x.CustomerNumber, cust, StringComparison.OrdinalIgnoreCase));
        }

        if (Q(query, "paymentNbr") is { } nbr)
        {
            items = items.Where(x => string.Equals(x.RefNbr, nbr, StringComparison.Ordinal));
        }

        if (Q(query, "paymentType") is { } type)
        {
            items = items.Where(x => string.Equals(x.Type, type, StringComparison.OrdinalIgnoreCase));
        }

        if (Q(query, "status") is { } status)
        {
            items = items.Where(x => string.Equals(x.Status, status, StringComparison.OrdinalIgnoreCase));
        }

        return Page(items.Select(x => PaymentJson(c, x)), query);
    });

    internal ApiResult GetPayment(string tenantId, string number) => WithCompany(tenantId, c =>
        c.Payments.TryGetValue(number, out var x)
            ? new ApiResult(200, PaymentJson(c, x), ETag: ETagOf(x.Version))
            : NotFound($"Customer payment '{number}' was not found."));

    /// <summary>Release: applies each line (reduces the invoice balance; Closed at 0) and books the payment.</summary>
    internal ApiResult ReleasePayment(string tenantId, string number, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (!c.Payments.TryGetValue(number, out var x))
        {
            return NotFound($"Customer payment '{number}' was not found.");
        }

        if (Wire.Str(body, "type") is { } type && !string.Equals(type, x.Type, StringComparison.OrdinalIgnoreCase))
        {
            return Bad($"Customer payment '{number}' is of type {x.Type}, not {type}.");
        }

        // Same wording as the invoice release (UNCERTAIN, contract).
        if (x.Status is "Open" or "Closed")
        {
            return Bad("Document is already released.");
        }

        if (x.Status == "Hold")
        {
            return Bad("Document is on hold and cannot be released.");
        }

        foreach (var line in x.Lines)
        {
            var invoice = c.Invoices[line.RefNbr];
            if (invoice.Status != "Open" || line.AmountPaid > invoice.Balance)
            {
                return Bad($"Invoice '{line.RefNbr}' has a balance of {Wire.Inv(invoice.Balance)} ({invoice.Status}); the payment cannot apply {Wire.Inv(line.AmountPaid)}.");
            }
        }

        var now = Now;
        foreach (var line in x.Lines)
        {
            var invoice = c.Invoices[line.RefNbr];
            invoice.Balance = Money.R2(invoice.Balance - line.AmountPaid);
            if (invoice.Balance == 0m)
            {
                invoice.Status = "Closed";
            }

            invoice.LastModified = now;
            invoice.Version = c.NextVersion();
        }

        x.Status = x.Lines.Sum(l => l.AmountPaid) == x.PaymentAmount ? "Closed" : "Open";
        x.LastModified = now;
        x.Version = c.NextVersion();
        return new ApiResult(200, new JsonObject
        {
            ["actionId"] = Guid.NewGuid().ToString(),
            ["actionResult"] = "Done",
            ["errorInfo"] = null,
        });
    });

    private static JsonObject PaymentJson(Company c, Payment x)
    {
        var customer = c.Customers[x.CustomerNumber];
        var method = c.PaymentMethods[x.PaymentMethodId];
        var applied = x.Status is "Open" or "Closed" ? x.Lines.Sum(l => l.AmountPaid) : 0m;
        return new JsonObject
        {
            ["type"] = x.Type,
            ["refNbr"] = x.RefNbr,
            ["status"] = x.Status,
            ["hold"] = x.Hold,
            ["applicationDate"] = Wire.IsoDate(x.ApplicationDate),
            ["paymentRef"] = x.PaymentRef,
            ["customer"] = new JsonObject { ["number"] = customer.Number, ["name"] = customer.Name },
            ["paymentMethod"] = new JsonObject { ["id"] = method.Id, ["description"] = method.Description },
            ["cashAccount"] = x.CashAccount,
            ["currency"] = x.Currency,
            ["paymentAmount"] = x.PaymentAmount,
            ["paymentAmountInCurrency"] = x.PaymentAmount,
            ["invoiceText"] = x.InvoiceText,
            ["appliedToDocuments"] = applied,
            ["availableBalance"] = x.PaymentAmount - applied,
            ["availableBalanceInCurrency"] = x.PaymentAmount - applied,
            ["paymentLines"] = new JsonArray([.. x.Lines.Select(l =>
            {
                var invoice = c.Invoices[l.RefNbr];
                return (JsonNode)new JsonObject
                {
                    ["documentType"] = l.DocumentType,
                    ["refNbr"] = l.RefNbr,
                    ["amountPaid"] = l.AmountPaid,
                    ["cashDiscountTaken"] = 0m,
                    ["balanceWriteOff"] = 0m,
                    ["date"] = Wire.IsoDate(invoice.DocumentDate),
                    ["balance"] = invoice.Balance,
                    ["description"] = invoice.InvoiceText,
                    ["currency"] = invoice.CurrencyId,
                };
            })]),
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["timeStamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
    }

    // ---------------------------------------------------------------- helpers

    private ApiResult WithCompany(string tenantId, Func<Company, ApiResult> action)
    {
        lock (_gate)
        {
            return _companies.TryGetValue(tenantId, out var c) ? action(c) : new ApiResult(401, Ipp("No license for this company."));
        }
    }

    private static ApiResult Page(IEnumerable<JsonObject> items, IQueryCollection query)
    {
        var all = items.ToList();
        var pageNumber = int.TryParse(Q(query, "pageNumber"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pn) && pn > 0 ? pn : 1;
        var pageSize = int.TryParse(Q(query, "pageSize"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ps) && ps > 0 ? Math.Min(ps, MaxPageSize) : MaxPageSize;
        var array = new JsonArray();
        foreach (var item in all.Skip((int)Math.Min((long)(pageNumber - 1) * pageSize, int.MaxValue)).Take(pageSize))
        {
            item["metadata"] = new JsonObject { ["totalCount"] = all.Count, ["maxPageSize"] = MaxPageSize };
            array.Add(item);
        }

        return new ApiResult(200, array);
    }

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
        [.. x.Lines.Select(l => new VismaPaymentLineSnapshot(l.DocumentType, l.RefNbr, l.AmountPaid))],
        x.Created);

    private static VismaCustomerSnapshot Snapshot(Customer x) => new(
        x.Number, x.InternalId, x.Name, x.Status, x.ClassId, x.VatZoneId, x.CurrencyId, x.MainContact?.Email,
        x.VatRegistrationId, x.CorporateId, x.MainAddress?.CountryId,
        new Dictionary<string, string>(x.Attributes, StringComparer.OrdinalIgnoreCase));
}

internal static class Countries
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SE"] = "Sweden", ["NO"] = "Norway", ["DK"] = "Denmark", ["FI"] = "Finland", ["DE"] = "Germany",
        ["NL"] = "Netherlands", ["FR"] = "France", ["GB"] = "United Kingdom", ["US"] = "United States",
        ["ES"] = "Spain", ["IT"] = "Italy", ["PL"] = "Poland", ["AT"] = "Austria", ["BE"] = "Belgium", ["IE"] = "Ireland",
    };

    public static string Name(string code) => Names.TryGetValue(code, out var n) ? n : code;
}
