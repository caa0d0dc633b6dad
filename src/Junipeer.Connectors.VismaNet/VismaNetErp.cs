using System.Collections.Concurrent;
using System.Globalization;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Connectors.Http;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Visma.net ERP adapter of the invoicing port. Calls per method:
/// FindCustomerByEmail → GET /v1/customer?email (paged); CreateCustomer → POST /v1/customer;
/// FindInvoicesByReference → GET /v1/customerinvoice?customerRefNumber (paged); CreateInvoice →
/// POST /v2/customerinvoice (no read-back); GetInvoice → GET /v1/customerinvoice/{n};
/// ReleaseInvoice → POST /v1/customerinvoice/{n}/action/release (no body: the operation declares
/// none); GetVatCategories → GET /v1/vatCategory (not paged: the operation has no paging
/// parameters; cached per integration); FindPaymentsForInvoice → GET
/// /v1/customerPayment?invoiceRefNbr (paged); CreatePayment → POST /v1/customerPayment (no
/// read-back); ReleasePayment → POST /v1/customerPayment/{n}/action/release; GetPayment → GET
/// /v1/customerPayment/{n}; ListInvoicesModifiedSince → GET
/// /v1/customerinvoice?lastModifiedDateTime&amp;lastModifiedDateTimeCondition=&gt;= (paged);
/// FindCustomersByKey → GET /v1/customer?attributes or ?corporateId (paged); UpdateCustomer →
/// GET + PUT /v1/customer/{n} with If-Match. Checked against Visma's published OpenAPI documents
/// (contracts/visma) by the strict Sandbox and the contract tests.
/// </summary>
public sealed partial class VismaNetErp : IErpAdapter, IErpCustomers, IErpInvoices, IErpPayments, IErpReferenceData
{
    public const string UserAgent = "Junipeer/1.0";

    internal const int LookupPageSize = 100;
    internal const string PaymentType = "Payment";
    /// <summary>
    /// Format of the lastModifiedDateTime filter: one of the formats the published parameter
    /// description accepts (yyyy-MM-ddTHH:mm:ss.FFF).
    /// </summary>
    internal const string LastModifiedFilterFormat = "yyyy-MM-dd'T'HH:mm:ss.FFF";
    private const int MaxPages = 200;

    private readonly IFlurlClientCache _clients;
    private readonly VismaConnectTokenProvider _tokens;
    private readonly JunipeerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<VismaNetErp> _logger;
    private readonly VendorHttp _http;
    private readonly ConcurrentDictionary<string, CachedVatCategories> _vatCategories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _vatCategoryGates = new(StringComparer.Ordinal);

    public VismaNetErp(
        IFlurlClientCache clients,
        VismaConnectTokenProvider tokens,
        IOptions<JunipeerOptions> options,
        TimeProvider time,
        ILogger<VismaNetErp> logger)
    {
        _clients = clients;
        _tokens = tokens;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = new VendorHttp(VismaProfile.Instance, time, TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds), logger);
    }

    public string Kind => ErpKinds.VismaNet;

    public IErpCustomers Customers => this;

    public IErpInvoices Invoices => this;

    public IErpPayments Payments => this;

    public IErpReferenceData ReferenceData => this;

    /// <summary>
    /// Visma.net document statuses after release: Open (released, balance left) and Closed (released
    /// and settled). Hold and Balanced are not released yet. Voided/Reserved/Canceled are not treated
    /// as released (the release would then fail visibly with Visma's own message).
    /// </summary>
    public bool IsReleased(string status) =>
        string.Equals(status, "Open", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "Closed", StringComparison.OrdinalIgnoreCase);

    public async Task<ErpCustomerRef?> FindCustomerByEmailAsync(Integration integration, string email, CancellationToken cancellationToken)
    {
        var wanted = email.Trim();
        var customers = await GetAllPagesAsync<CustomerDto>(integration, VismaOperation.FindCustomer, ["v1", "customer"],
            [("email", wanted)], LookupPageSize, c => c.Metadata, cancellationToken);

        // The docs do not say whether the filter is exact or case-insensitive: match exactly here.
        var matches = customers
            .Where(c => c.Number is not null && (SameEmail(c.MainContact?.Email, wanted) || SameEmail(c.InvoiceContact?.Email, wanted)))
            .ToList();
        if (matches.Count > 1)
            _logger.LogWarning("{Count} Visma.net customers share the e-mail address; using customer {Number}", matches.Count, matches[0].Number);
        var match = matches.FirstOrDefault();
        return match is null ? null : new ErpCustomerRef(match.Number!, match.Name ?? "", match.MainContact?.Email ?? match.InvoiceContact?.Email);
    }

    public async Task<string> CreateCustomerAsync(Integration integration, ErpCustomerDraft draft, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.CreateCustomer, HttpMethod.Post, ["v1", "customer"], [],
            VismaJson.Serialize(ToCustomerDto(draft, KeyAttribute(integration))), cancellationToken);
        var number = NumberFromLocation(response.Header("Location"), VismaOperation.CreateCustomer);
        _logger.LogInformation("Created Visma.net customer {Number} for integration {IntegrationId}", number, integration.Id);
        return number;
    }

    public async Task<IReadOnlyList<ErpCustomerRef>> FindCustomersByKeyAsync(Integration integration, string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var attribute = KeyAttribute(integration);

        // attributes={"ATTR":"value"} (published example). The same description shows
        // {"ATTR":"v1,v2"} for several values, so a key containing a comma may be read as a list;
        // whether either filter matches exactly is not documented: keep exact matches only.
        (string, string)[] query = attribute is null
            ? [("corporateId", key)]
            : [("attributes", new System.Text.Json.Nodes.JsonObject { [attribute] = key }.ToJsonString())];
        var customers = await GetAllPagesAsync<CustomerDto>(integration, VismaOperation.FindCustomerByKey, ["v1", "customer"],
            query, LookupPageSize, c => c.Metadata, cancellationToken);
        return customers
            .Where(c => c.Number is not null)
            .Where(c => attribute is null
                ? string.Equals(c.CorporateId, key, StringComparison.Ordinal)
                : (c.Attributes ?? []).Any(a => string.Equals(a.Id, attribute, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Value, key, StringComparison.Ordinal)))
            .Select(c => new ErpCustomerRef(c.Number!, c.Name ?? "", c.MainContact?.Email ?? c.InvoiceContact?.Email))
            .ToList();
    }

    public async Task UpdateCustomerAsync(Integration integration, string customerNumber, ErpCustomerDraft draft, string? ifMatch, CancellationToken cancellationToken)
    {
        if (ifMatch is null)
        {
            var current = await SendAsync(integration, VismaOperation.GetCustomer, HttpMethod.Get, ["v1", "customer", customerNumber], [], null, cancellationToken);
            ifMatch = current.Header("ETag");
        }

        (string, string)[] headers = ifMatch is null ? [] : [("If-Match", ifMatch)];
        await SendAsync(integration, VismaOperation.UpdateCustomer, HttpMethod.Put, ["v1", "customer", customerNumber], [],
            VismaJson.Serialize(ToCustomerDto(draft, KeyAttribute(integration), forUpdate: true)), cancellationToken, headers);
        _logger.LogInformation("Updated Visma.net customer {Number} for integration {IntegrationId}", customerNumber, integration.Id);
    }

    /// <summary>The customer attribute that carries the lookup key, or null to use corporateId.</summary>
    internal static string? KeyAttribute(Integration integration) =>
        string.IsNullOrWhiteSpace(integration.Orders.CustomerExternalIdAttribute) ? null : integration.Orders.CustomerExternalIdAttribute.Trim();

    public async Task<IReadOnlyList<ErpInvoiceRef>> ListInvoicesModifiedSinceAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // The time zone of lastModifiedDateTime is not documented (filter value nor response field).
        // We send UTC. If Visma reads the value as company-local time east of UTC (the Nordic
        // companies), the window only widens, so nothing modified after `since` is missed.
        var value = since.UtcDateTime.ToString(LastModifiedFilterFormat, CultureInfo.InvariantCulture);
        var invoices = await GetAllPagesAsync<CustomerInvoiceDto>(integration, VismaOperation.ListInvoices, ["v1", "customerinvoice"],
            [("lastModifiedDateTime", value), ("lastModifiedDateTimeCondition", ">=")], LookupPageSize, i => i.Metadata, cancellationToken,
            identity: i => i.ReferenceNumber);
        return invoices.Where(i => i.ReferenceNumber is not null).Select(ToInvoiceRef).ToList();
    }

    public async Task<ErpPaymentRef> GetPaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.GetPayment, HttpMethod.Get, ["v1", "customerPayment", paymentNumber], [], null, cancellationToken);
        var p = VismaJson.Deserialize<PaymentDto>(response.Body)
                ?? throw new VismaNetApiException(ErrorCodes.ErpRequestRejected, $"Visma.net returned an empty body for customer payment {paymentNumber}.", FailureKind.Rejected, response.StatusCode);
        return new ErpPaymentRef(p.RefNbr ?? paymentNumber, p.Status ?? "", p.PaymentRef, p.PaymentAmountInCurrency ?? p.PaymentAmount ?? 0m);
    }

    public async Task<IReadOnlyList<ErpInvoiceRef>> FindInvoicesByReferenceAsync(Integration integration, string reference, CancellationToken cancellationToken)
    {
        var invoices = await GetAllPagesAsync<CustomerInvoiceDto>(integration, VismaOperation.FindInvoices, ["v1", "customerinvoice"],
            [("customerRefNumber", reference)], LookupPageSize, i => i.Metadata, cancellationToken);

        // Whether Visma's filter is exact, prefix or contains is undocumented: keep exact matches only.
        return invoices
            .Where(i => i.ReferenceNumber is not null && string.Equals(i.CustomerRefNumber, reference, StringComparison.Ordinal))
            .Select(ToInvoiceRef)
            .ToList();
    }

    public async Task<string> CreateInvoiceAsync(Integration integration, ErpInvoiceDraft draft, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.CreateInvoice, HttpMethod.Post, ["v2", "customerinvoice"], [],
            VismaJson.Serialize(ToInvoiceDto(draft)), cancellationToken);
        var number = NumberFromLocation(response.Header("Location"), VismaOperation.CreateInvoice);
        _logger.LogInformation("Created Visma.net invoice {Number} ({Reference}) for integration {IntegrationId}", number, draft.Reference, integration.Id);
        return number;
    }

    public async Task<ErpInvoiceRef> GetInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.GetInvoice, HttpMethod.Get, ["v1", "customerinvoice", invoiceNumber], [], null, cancellationToken);
        var dto = VismaJson.Deserialize<CustomerInvoiceDto>(response.Body)
                  ?? throw new VismaNetApiException(ErrorCodes.ErpRequestRejected, $"Visma.net returned an empty body for invoice {invoiceNumber}.", FailureKind.Rejected, response.StatusCode);
        return ToInvoiceRef(dto with { ReferenceNumber = dto.ReferenceNumber ?? invoiceNumber });
    }

    // The published release operation declares no request body: none is sent.
    public Task ReleaseInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken) =>
        ReleaseAsync(integration, VismaOperation.ReleaseInvoice, ["v1", "customerinvoice", invoiceNumber, "action", "release"], null, "invoice", invoiceNumber, cancellationToken);

    public async Task<IReadOnlyList<ErpPaymentRef>> FindPaymentsForInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken)
    {
        var payments = await GetAllPagesAsync<PaymentDto>(integration, VismaOperation.FindPayments, ["v1", "customerPayment"],
            [("invoiceRefNbr", invoiceNumber)], LookupPageSize, p => p.Metadata, cancellationToken);

        // Whether the filter is exact is undocumented: keep payments whose lines name the invoice
        // (when lines are returned). Voided payments and void documents no longer apply anything.
        return payments
            .Where(p => p.RefNbr is not null)
            .Where(p => p.PaymentLines is not { Count: > 0 } lines
                        || lines.Any(l => string.Equals(l.RefNbr, invoiceNumber, StringComparison.Ordinal)))
            .Where(p => !string.Equals(p.Status, "Voided", StringComparison.OrdinalIgnoreCase)
                        && (p.Type is null || string.Equals(p.Type, "Payment", StringComparison.OrdinalIgnoreCase)))
            .Select(p => new ErpPaymentRef(p.RefNbr!, p.Status ?? "", p.PaymentRef, p.PaymentAmountInCurrency ?? p.PaymentAmount ?? 0m))
            .ToList();
    }

    public async Task<string> CreatePaymentAsync(Integration integration, ErpPaymentDraft draft, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.CreatePayment, HttpMethod.Post, ["v1", "customerPayment"], [],
            VismaJson.Serialize(ToPaymentDto(draft)), cancellationToken);
        var number = NumberFromLocation(response.Header("Location"), VismaOperation.CreatePayment);
        _logger.LogInformation("Created Visma.net customer payment {Number} ({Reference}) for invoice {Invoice}, integration {IntegrationId}",
            number, draft.Reference, draft.InvoiceNumber, integration.Id);
        return number;
    }

    public Task ReleasePaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken) =>
        ReleaseAsync(integration, VismaOperation.ReleasePayment, ["v1", "customerPayment", paymentNumber, "action", "release"],
            VismaJson.Serialize(new PaymentReleaseActionDto { Type = VismaValue.Of(PaymentType) }), "customer payment", paymentNumber, cancellationToken);

    private async Task ReleaseAsync(Integration integration, VismaOperation operation, string[] path, string? body, string what, string number, CancellationToken cancellationToken)
    {
        // A release that fails (for example because an earlier, lost attempt already released the
        // document) is resolved by the caller reading the document's status, never by Visma's wording.
        var response = await SendAsync(integration, operation, HttpMethod.Post, path, [], body, cancellationToken);

        var result = VismaJson.Deserialize<ActionResultDto>(response.Body);
        if (string.Equals(result?.ActionResult, "Failed", StringComparison.OrdinalIgnoreCase))
            throw new VismaNetApiException(ErrorCodes.ErpRequestRejected,
                $"Visma.net could not release {what} {number}: {result?.ErrorInfo ?? "actionResult Failed without errorInfo"}",
                FailureKind.Rejected, response.StatusCode)
            { VismaMessage = result?.ErrorInfo };
        if (result?.ActionResult is { } state && !string.Equals(state, "Done", StringComparison.OrdinalIgnoreCase))
            _logger.LogInformation("Visma.net accepted the release of {What} {Number} with state {State}", what, number, state);
    }

    public async Task<IReadOnlyList<ErpVatCategory>> GetVatCategoriesAsync(Integration integration, CancellationToken cancellationToken)
    {
        if (_vatCategories.TryGetValue(integration.Id, out var cached) && _time.GetUtcNow() < cached.Until)
            return cached.Categories;

        // Single flight per integration: concurrent orders share one fetch instead of each calling Visma.
        var gate = _vatCategoryGates.GetOrAdd(integration.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_vatCategories.TryGetValue(integration.Id, out cached) && _time.GetUtcNow() < cached.Until)
                return cached.Categories;
            return await FetchVatCategoriesAsync(integration, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<IReadOnlyList<ErpVatCategory>> FetchVatCategoriesAsync(Integration integration, CancellationToken cancellationToken)
    {
        // GET /v1/vatCategory declares no pageNumber/pageSize (only the deprecated numberToRead /
        // skipRecords): one call returns every category.
        var response = await SendAsync(integration, VismaOperation.GetVatCategories, HttpMethod.Get, ["v1", "vatCategory"], [], null, cancellationToken);
        var dtos = VismaJson.DeserializeList<VatCategoryDto>(response.Body);
        var categories = dtos.Where(c => c.VatCategoryId is not null).Select(ToVatCategory).ToList();
        var ttl = TimeSpan.FromSeconds(_options.VismaNet.VatCategoryCacheSeconds);
        if (ttl > TimeSpan.Zero)
            _vatCategories[integration.Id] = new CachedVatCategories(_time.GetUtcNow() + ttl, categories);
        return categories;
    }

    internal static VismaNetSettings RequireSettings(Integration integration) =>
        integration.Erp.VismaNet
        ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Erp.VismaNet settings.");

    /// <summary>The id of a created resource: the last path segment of the (absolute, maybe other-host) Location.</summary>
    internal static string NumberFromLocation(string? location, VismaOperation operation)
    {
        string? path = null;
        if (!string.IsNullOrWhiteSpace(location))
        {
            path = Uri.TryCreate(location.Trim(), UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
                ? absolute.AbsolutePath
                : location.Trim().Split('?', '#')[0];
        }

        var last = path?.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (string.IsNullOrWhiteSpace(last))
            throw new VismaNetApiException(ErrorCodes.ErpUnavailable,
                $"Visma.net accepted {VismaNetErrors.Describe(operation)} but sent no usable Location header ('{location}'); the next attempt looks the document up.",
                FailureKind.ServerError, 201);
        return Uri.UnescapeDataString(last);
    }

    /// <summary>
    /// The value-wrapped customer body. The lookup key goes to <paramref name="keyAttribute"/> when
    /// set, else to corporateId. An update leaves status and class defaults alone.
    /// </summary>
    internal static CustomerUpdateDto ToCustomerDto(ErpCustomerDraft draft, string? keyAttribute = null, bool forUpdate = false)
    {
        var address = new AddressUpdateDto
        {
            AddressLine1 = VismaValue.Of(draft.AddressLine1),
            AddressLine2 = VismaValue.Of(draft.AddressLine2),
            PostalCode = VismaValue.Of(draft.PostalCode),
            City = VismaValue.Of(draft.City),
            CountryId = VismaValue.Of(draft.CountryId?.ToUpperInvariant()),
        };
        var hasAddress = address != new AddressUpdateDto();
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(draft.ExternalIdAttribute) && !string.IsNullOrWhiteSpace(draft.ExternalId))
            attributes[draft.ExternalIdAttribute] = draft.ExternalId;
        var key = string.IsNullOrWhiteSpace(draft.LookupKey) ? null : draft.LookupKey;
        if (key is not null && keyAttribute is not null)
            attributes[keyAttribute] = key; // the lookup key wins when both name the same attribute
        return new CustomerUpdateDto
        {
            Name = VismaValue.Of(draft.Name),
            Status = forUpdate ? null : VismaValue.Of("Active"),
            OverrideWithClassValues = forUpdate ? null : true,
            CorporateId = key is not null && keyAttribute is null ? VismaValue.Of(key) : null,
            CustomerClassId = VismaValue.Of(draft.CustomerClassId),
            CurrencyId = VismaValue.Of(draft.CurrencyId),
            VatZoneId = VismaValue.Of(draft.VatZoneId),
            VatRegistrationId = VismaValue.Of(draft.VatRegistrationId),
            MainAddress = hasAddress ? VismaValue.OfObject(address) : null,
            InvoiceAddress = hasAddress ? VismaValue.OfObject(address) : null,
            MainContact = VismaValue.OfObject(new ContactInfoUpdateDto
            {
                Name = VismaValue.Of(draft.Name),
                Email = VismaValue.Of(draft.Email),
                Phone1 = VismaValue.Of(draft.Phone),
            }),
            AttributeLines = attributes.Count == 0
                ? null
                : attributes.Select(a => new AttributeLineUpdateDto { AttributeId = VismaValue.Of(a.Key), AttributeValue = VismaValue.Of(a.Value) }).ToList(),
        };
    }

    internal static CustomerInvoiceUpdateDto ToInvoiceDto(ErpInvoiceDraft draft) => new()
    {
        CustomerNumber = VismaValue.Of(draft.CustomerNumber),
        DocumentDate = VismaValue.Of(draft.DocumentDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        CurrencyId = VismaValue.Of(draft.CurrencyId),
        CustomerRefNumber = VismaValue.Of(draft.Reference),
        ExternalReference = VismaValue.Of(draft.Reference),
        InvoiceText = VismaValue.Of(draft.InvoiceText),
        CustomerVatZoneId = VismaValue.Of(draft.VatZoneId),
        Hold = VismaValue.Of(false),
        Note = VismaValue.Of(draft.Note),
        InvoiceLines = draft.Lines.Select(l => new CustomerInvoiceLineUpdateDto
        {
            Operation = "Insert",
            InventoryNumber = VismaValue.Of(l.ArticleNumber),
            Description = VismaValue.Of(l.Description),
            Quantity = VismaValue.Of(l.Quantity),
            UnitPriceInCurrency = VismaValue.Of(l.UnitPrice),
            ManualAmountInCurrency = VismaValue.Of(l.Amount),
            DiscountAmountInCurrency = VismaValue.Of(l.DiscountAmount),
            VatCodeId = VismaValue.Of(l.VatCategoryId),
        }).ToList(),
        TaxDetailLines = draft.TaxOverrides.Count == 0
            ? null
            : draft.TaxOverrides.Select(t => new TaxDetailLineUpdateDto
            {
                TaxId = VismaValue.Of(t.TaxId),
                TaxableAmount = VismaValue.Of(t.TaxableAmount),
                VatAmount = VismaValue.Of(t.VatAmount),
            }).ToList(),
    };

    internal static PaymentUpdateDto ToPaymentDto(ErpPaymentDraft draft) => new()
    {
        Type = VismaValue.Of(PaymentType),
        Hold = VismaValue.Of(false),
        ApplicationDate = VismaValue.Of(draft.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        PaymentRef = VismaValue.Of(draft.Reference),
        Customer = VismaValue.Of(draft.CustomerNumber),
        PaymentMethod = VismaValue.Of(draft.PaymentMethodId),
        CashAccount = VismaValue.Of(draft.CashAccount),
        Currency = VismaValue.Of(draft.CurrencyId),
        PaymentAmount = VismaValue.Of(draft.Amount),
        InvoiceText = VismaValue.Of(draft.Text),
        PaymentLines =
        [
            new PaymentLineUpdateDto
            {
                Operation = "Insert",
                DocumentType = VismaValue.Of("Invoice"),
                RefNbr = VismaValue.Of(draft.InvoiceNumber),
                AmountPaid = VismaValue.Of(draft.Amount),
            },
        ],
    };

    /// <summary>Status is passed through as Visma reports it (Hold, Balanced, Open, Closed, …).</summary>
    private static ErpInvoiceRef ToInvoiceRef(CustomerInvoiceDto dto) =>
        new(dto.ReferenceNumber!, dto.Status ?? "",
            dto.AmountInCurrency ?? dto.Amount ?? 0m,
            dto.VatTotalInCurrency ?? dto.VatTotal ?? 0m,
            dto.CustomerRefNumber ?? dto.ExternalReference)
        {
            LastModified = ParseTimestamp(dto.LastModifiedDateTime),
        };

    /// <summary>lastModifiedDateTime carries no offset and its zone is undocumented: read as UTC.</summary>
    /// <summary>Visma answers timestamps without an offset; the zone is undocumented, read as UTC (as the filters are sent).</summary>
    private static DateTimeOffset? ParseTimestamp(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    private static ErpVatCategory ToVatCategory(VatCategoryDto dto) =>
        new(dto.VatCategoryId!, dto.Description,
            (dto.VatCategoryLines ?? [])
            .Where(l => l.VatId is not null)
            .Select(l => new ErpVatCategoryTax(l.VatId!,
                (l.VatRates ?? []).Where(r => r.VatRate is not null).Select(r => new ErpVatRate(ParseDate(r.StartDate), r.VatRate!.Value)).ToList()))
            .ToList());

    private static DateOnly? ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length < 10)
            return null;
        return DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    private static bool SameEmail(string? candidate, string wanted) =>
        candidate is not null && string.Equals(candidate.Trim(), wanted, StringComparison.OrdinalIgnoreCase);

    private async Task<List<T>> GetAllPagesAsync<T>(
        Integration integration,
        VismaOperation operation,
        string[] path,
        (string Name, string Value)[] query,
        int pageSize,
        Func<T, MetadataDto?> metadata,
        CancellationToken cancellationToken,
        Func<T, string?>? identity = null)
    {
        var all = new List<T>();
        int? totalPages = null;
        int? lastTotal = null;
        var complete = false;
        for (var page = 1; page <= MaxPages; page++)
        {
            (string, string)[] pageQuery =
            [
                .. query,
                ("pageNumber", page.ToString(CultureInfo.InvariantCulture)),
                ("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
            ];
            var response = await SendAsync(integration, operation, HttpMethod.Get, path, pageQuery, null, cancellationToken);
            var items = VismaJson.DeserializeList<T>(response.Body);
            if (items.Count == 0)
            {
                complete = true;
                break;
            }

            all.AddRange(items);
            if (metadata(items[0])?.TotalCount is { } count)
                lastTotal = count;

            if (totalPages is null)
            {
                var meta = metadata(items[0]);
                if (meta?.TotalCount is not { } total)
                {
                    if (items.Count < pageSize)
                    {
                        complete = true;
                        break;
                    }

                    continue;
                }

                // Visma clamps pageSize to the endpoint max: divide by the size actually served.
                var effective = Math.Min(pageSize, meta.MaxPageSize is > 0 ? meta.MaxPageSize.Value : pageSize);
                if (items.Count < effective && total > items.Count)
                    effective = items.Count;
                totalPages = (int)Math.Ceiling(total / (double)Math.Max(1, effective));
            }

            if (page >= totalPages)
            {
                complete = true;
                break;
            }
        }

        if (!complete)
            throw Incomplete(operation, $"more than {MaxPages} pages");

        // Pages are numbered, and the order Visma sorts them in is not documented: a document that
        // moves while the pages are read (e.g. modified, when sorted by modification time) shifts the
        // next one back across a page boundary, unseen. Then fewer distinct documents were read than
        // the last page's totalCount says exist; such a read cannot vouch for absence.
        if (identity is not null && lastTotal is { } expected)
        {
            var distinct = all.Select(identity).Where(k => k is not null).Distinct(StringComparer.Ordinal).Count();
            if (distinct < expected)
                throw Incomplete(operation, $"{distinct} distinct documents read where Visma counts {expected} (the list changed while paging)");
        }

        return all;
    }

    /// <summary>
    /// A list read page by page for the catalogue flows (1-based pageNumber; the page count from the first
    /// page's metadata). Streaming: a page is handed on before the next is read. A total that changes while
    /// paging fails the read (ERP_LOOKUP_INCOMPLETE); a page shift between pages is covered by the stock
    /// flow's overlap (it reads the same window again on its next run).
    /// </summary>
    private async IAsyncEnumerable<List<T>> GetPagesAsync<T>(
        Integration integration,
        VismaOperation operation,
        string[] path,
        (string Name, string Value)[] query,
        int pageSize,
        Func<T, MetadataDto?> metadata,
        int maxPages,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int? totalPages = null;
        int? firstTotal = null;
        for (var page = 1; page <= maxPages; page++)
        {
            (string, string)[] pageQuery =
            [
                .. query,
                ("pageNumber", page.ToString(CultureInfo.InvariantCulture)),
                ("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
            ];
            var response = await SendAsync(integration, operation, HttpMethod.Get, path, pageQuery, null, cancellationToken);
            var items = VismaJson.DeserializeList<T>(response.Body);
            if (items.Count == 0)
                yield break;

            if (metadata(items[0])?.TotalCount is { } count)
            {
                firstTotal ??= count;
                if (count != firstTotal)
                    throw Incomplete(operation, $"the total changed from {firstTotal} to {count} while paging");
            }

            yield return items;

            if (totalPages is null)
            {
                var meta = metadata(items[0]);
                if (meta?.TotalCount is not { } total)
                {
                    if (items.Count < pageSize)
                        yield break;
                    continue;
                }

                // Visma clamps pageSize to the endpoint max: divide by the size actually served.
                var effective = Math.Min(pageSize, meta.MaxPageSize is > 0 ? meta.MaxPageSize.Value : pageSize);
                if (items.Count < effective && total > items.Count)
                    effective = items.Count;
                totalPages = (int)Math.Ceiling(total / (double)Math.Max(1, effective));
            }

            if (page >= totalPages)
                yield break;
        }

        throw Incomplete(operation, $"more than {maxPages} pages");
    }

    private static VismaNetApiException Incomplete(VismaOperation operation, string why) =>
        new(ErrorCodes.ErpLookupIncomplete, $"Visma.net {VismaNetErrors.Describe(operation)} could not be read completely: {why}.", FailureKind.Malformed);

    private async Task<VendorResponse> SendAsync(
        Integration integration,
        VismaOperation operation,
        HttpMethod method,
        string[] path,
        (string Name, string Value)[] query,
        string? jsonBody,
        CancellationToken cancellationToken,
        (string Name, string Value)[]? headers = null)
    {
        var settings = RequireSettings(integration);
        var baseUrl = VismaUrls.Api(settings, _options.VismaNet);
        var timeout = TimeSpan.FromSeconds(_options.VismaNet.TimeoutSeconds);
        var client = _clients.GetOrAdd("visma " + baseUrl, baseUrl, builder => builder
            .WithTimeout(timeout)
            .WithHeader("Accept", "application/json")
            .WithHeader("User-Agent", UserAgent));

        for (var authAttempt = 0; ; authAttempt++)
        {
            var token = await _tokens.GetAccessTokenAsync(integration, cancellationToken);
            try
            {
                return await _http.SendAsync(
                    () =>
                    {
                        var request = client.Request().WithOAuthBearerToken(token);
                        foreach (var segment in path)
                            request.AppendPathSegment(segment, fullyEncode: true);
                        foreach (var (name, value) in query)
                            request.SetQueryParam(name, value);
                        foreach (var (name, value) in headers ?? [])
                            request.WithHeader(name, value);
                        return request;
                    },
                    method,
                    () => jsonBody is null ? null : new CapturedJsonContent(jsonBody),
                    operation.ToString(),
                    idempotent: method == HttpMethod.Get,
                    cancellationToken,
                    windowKey: integration.Id);
            }
            catch (VismaNetApiException ex) when (ex is { Kind: FailureKind.Unauthorized, StatusCode: 401 } && authAttempt == 0)
            {
                // The token may have been revoked or expired early: fetch a fresh one and try once more.
                _logger.LogInformation("Visma.net answered 401 to {Operation}; refreshing the token once", operation);
                _tokens.Invalidate(integration, token);
            }
        }
    }

    private sealed record CachedVatCategories(DateTimeOffset Until, IReadOnlyList<ErpVatCategory> Categories);
}
