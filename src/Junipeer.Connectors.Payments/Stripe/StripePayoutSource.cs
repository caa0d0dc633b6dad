using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flurl.Http;
using Flurl.Http.Configuration;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Payouts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.Payments.Stripe;

/// <summary>
/// Stripe payouts as a payout source (contract: contracts/stripe/stripe-payouts-openapi.yml):
/// <c>GET /v1/payouts/{id}</c>, then its transactions with
/// <c>GET /v1/balance_transactions?payout=…&amp;limit=100&amp;expand[]=data.source&amp;starting_after=…</c>
/// until <c>has_more</c> is false. Only a <c>paid</c> automatic payout whose reconciliation is
/// complete is returned (Stripe lists a payout's transactions only then). Amounts are minor units
/// (converted per currency exponent); the payout's own <c>payout</c> transaction is left out, so
/// Σ net of the rest = the payout amount. Auth: <c>Authorization: Bearer sk_…</c>. Reads only, all
/// through the shared plumbing (retried on 5xx/timeouts/short 429s).
/// </summary>
public sealed class StripePayoutSource : IPayoutSource
{
    public const string DefaultApiBase = "https://api.stripe.com";

    /// <summary>Metadata key read for the order reference (UNCERTAIN which key the shop writes; see contracts/stripe/SOURCE.md).</summary>
    public const string OrderMetadataKey = "order_number";

    /// <summary>Fallback metadata key.</summary>
    public const string OrderIdMetadataKey = "order_id";

    public const int PageSize = 100;

    private const string GetPayoutOp = "GET /v1/payouts/{payout}";
    private const string ListPayoutsOp = "GET /v1/payouts";
    private const string ListTransactionsOp = "GET /v1/balance_transactions";
    private const string GetChargeOp = "GET /v1/charges/{charge}";

    /// <summary>Safety stop for a runaway pager (100 pages of 100 = 10,000 transactions per payout).</summary>
    public const int MaxPages = 1000;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
    };

    private readonly IFlurlClientCache _clients;
    private readonly ISecretResolver _secrets;
    private readonly JunipeerOptions _options;
    private readonly ILogger<StripePayoutSource> _logger;
    private readonly VendorHttp _http;

    public StripePayoutSource(IFlurlClientCache clients, ISecretResolver secrets, IOptions<JunipeerOptions> options, TimeProvider time, ILogger<StripePayoutSource> logger)
    {
        _clients = clients;
        _secrets = secrets;
        _options = options.Value;
        _logger = logger;
        _http = new VendorHttp(StripeProfile.Instance, time, TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds), logger);
    }

    public string Provider => PayoutProviders.Stripe;

    public async Task<Payout?> GetPayoutAsync(Integration integration, string payoutId, CancellationToken cancellationToken)
    {
        StripePayout payout;
        try
        {
            var response = await SendAsync(integration, "v1/payouts/" + Uri.EscapeDataString(payoutId), GetPayoutOp, [], cancellationToken);
            payout = Parse<StripePayout>(response, GetPayoutOp);
        }
        catch (ConnectorException ex) when (ex.StatusCode == 404)
        {
            return null;
        }

        if (!IsReady(payout))
        {
            _logger.LogInformation("Stripe payout {PayoutId} is not ready to reconcile (status {Status}, automatic {Automatic}, reconciliation {Reconciliation})",
                payoutId, payout.Status, payout.Automatic, payout.ReconciliationStatus);
            return null;
        }

        var currency = MinorUnits.Code(payout.Currency);
        var lines = new List<PayoutLine>();
        var charges = new Dictionary<string, StripeSource?>(StringComparer.Ordinal);
        string? after = null;
        for (var page = 0; ; page++)
        {
            if (page >= MaxPages)
                throw new ConnectorException(ErrorCodes.PspUnavailable, $"Stripe payout {payoutId} has more than {MaxPages} pages of balance transactions; stopped reading.", FailureKind.Malformed);
            var query = new List<(string, string)> { ("payout", payoutId), ("limit", PageSize.ToString(CultureInfo.InvariantCulture)), ("expand[]", "data.source") };
            if (after is not null)
                query.Add(("starting_after", after));
            var list = Parse<StripeList<StripeBalanceTransaction>>(await SendAsync(integration, "v1/balance_transactions", ListTransactionsOp, query, cancellationToken), ListTransactionsOp);
            foreach (var tx in list.Data ?? [])
            {
                if (tx.Type is "payout" or "payout_cancel" or "payout_failure")
                    continue;
                lines.Add(await ToLineAsync(integration, tx, charges, cancellationToken));
            }

            if (!list.HasMore || list.Data is not { Count: > 0 })
                break;
            after = list.Data[^1].Id;
        }

        return new Payout
        {
            Provider = Provider,
            PayoutId = payout.Id,
            Currency = currency,
            Total = MinorUnits.ToMajor(payout.Amount, currency),
            Date = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(payout.ArrivalDate).UtcDateTime),
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(payout.Created),
            Lines = lines,
        };
    }

    public async Task<IReadOnlyList<string>> ListPayoutIdsAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        string? after = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var query = new List<(string, string)>
            {
                ("status", "paid"),
                ("created[gte]", since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                ("limit", PageSize.ToString(CultureInfo.InvariantCulture)),
            };
            if (after is not null)
                query.Add(("starting_after", after));
            var list = Parse<StripeList<StripePayout>>(await SendAsync(integration, "v1/payouts", ListPayoutsOp, query, cancellationToken), ListPayoutsOp);
            ids.AddRange((list.Data ?? []).Where(IsReady).Select(p => p.Id));
            if (!list.HasMore || list.Data is not { Count: > 0 })
                break;
            after = list.Data[^1].Id;
        }

        return ids;
    }

    /// <summary>Paid, automatic (Stripe lists transactions by payout only for those), reconciliation completed (absent on older API versions: taken as done).</summary>
    private static bool IsReady(StripePayout p) =>
        p.Status == "paid" && p.Automatic && p.ReconciliationStatus is null or "completed";

    private async Task<PayoutLine> ToLineAsync(Integration integration, StripeBalanceTransaction tx, Dictionary<string, StripeSource?> charges, CancellationToken ct)
    {
        var currency = MinorUnits.Code(tx.Currency);
        var source = tx.Source;
        var kind = tx.Type switch
        {
            "charge" or "payment" => PayoutLineKind.Sale,
            "refund" or "payment_refund" => PayoutLineKind.Refund,
            "adjustment" when source?.Object == "dispute" => PayoutLineKind.Chargeback,
            "stripe_fee" or "stripe_fx_fee" or "tax_fee" or "application_fee" => PayoutLineKind.Fee,
            _ => PayoutLineKind.Other,
        };
        string? reference = null;
        if (kind is PayoutLineKind.Sale or PayoutLineKind.Refund or PayoutLineKind.Chargeback && source is not null)
        {
            reference = ReferenceOf(source);
            if (reference is null && source.Object is "refund" or "dispute" && !string.IsNullOrEmpty(source.Charge))
            {
                if (!charges.TryGetValue(source.Charge, out var charge))
                {
                    charge = Parse<StripeSource>(await SendAsync(integration, "v1/charges/" + Uri.EscapeDataString(source.Charge), GetChargeOp, [], ct), GetChargeOp);
                    charges[source.Charge] = charge;
                }

                reference = charge is null ? null : ReferenceOf(charge);
            }
        }

        return new PayoutLine
        {
            TransactionId = tx.Id,
            RefundId = kind == PayoutLineKind.Refund && source?.Object == "refund" && !string.IsNullOrEmpty(source.Id) ? source.Id : null, // re_…: what the shop records
            Kind = kind,
            Reference = reference,
            Gross = MinorUnits.ToMajor(tx.Amount, currency),
            Fee = MinorUnits.ToMajor(tx.Fee, currency),
            Currency = currency,
            Description = tx.Description,
        };
    }

    private static string? ReferenceOf(StripeSource s) =>
        s.Metadata?.GetValueOrDefault(OrderMetadataKey) is { Length: > 0 } a ? a
        : s.Metadata?.GetValueOrDefault(OrderIdMetadataKey) is { Length: > 0 } b ? b
        : s.Object == "charge" && !string.IsNullOrWhiteSpace(s.Description) ? s.Description.Trim()
        : null;

    private static PspPayoutSettings Settings(Integration integration) =>
        integration.Payouts.Providers.GetValueOrDefault(PayoutProviders.Stripe)
        ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Payouts.Providers.stripe settings.");

    private Task<VendorResponse> SendAsync(Integration integration, string path, string operation, IReadOnlyList<(string Name, string Value)> query, CancellationToken ct)
    {
        var settings = Settings(integration);
        var key = _secrets.Resolve(settings.ApiKeySecretName
                                   ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Payouts.Providers.stripe.ApiKeySecretName."));
        var baseUrl = (settings.ApiBaseUrl ?? DefaultApiBase).TrimEnd('/');
        var timeout = TimeSpan.FromSeconds(_options.VismaNet.TimeoutSeconds);
        var client = _clients.GetOrAdd("stripe " + baseUrl, baseUrl, b => b.WithTimeout(timeout).WithHeader("Accept", "application/json").WithHeader("User-Agent", "Junipeer/1.0"));
        return _http.SendAsync(() =>
        {
            var request = client.Request(path).WithOAuthBearerToken(key);
            foreach (var (name, value) in query)
                request.SetQueryParam(name, value);
            return request;
        }, HttpMethod.Get, () => null, operation, idempotent: true, ct);
    }

    private static T Parse<T>(VendorResponse response, string operation)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(response.Body, Json)
                   ?? throw new ConnectorException(ErrorCodes.PspUnavailable, $"Stripe answered {operation} with an empty body.", FailureKind.Malformed, response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new ConnectorException(ErrorCodes.PspUnavailable, $"Stripe answered {operation} with a body that is not the documented object: {ex.Message}", FailureKind.Malformed, response.StatusCode, ex);
        }
    }

    internal sealed record StripeList<T>(List<T>? Data, bool HasMore, string? Object);

    internal sealed record StripePayout(string Id, long Amount, long ArrivalDate, bool Automatic, long Created, string Currency, string Status, string? ReconciliationStatus);

    internal sealed record StripeBalanceTransaction(string Id, long Amount, long Fee, long Net, string Currency, string Type, string? Description,
        [property: JsonConverter(typeof(SourceConverter))] StripeSource? Source);

    /// <summary>The expanded source (charge, refund, dispute …): only the fields the connector reads.</summary>
    internal sealed record StripeSource(string? Id, string? Object, string? Charge, string? Description, Dictionary<string, string>? Metadata);

    /// <summary><c>source</c> is an id string unless expanded (the connector always expands it; a string is kept as an id only).</summary>
    internal sealed class SourceConverter : JsonConverter<StripeSource?>
    {
        public override StripeSource? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
                return null;
            if (reader.TokenType == JsonTokenType.String)
                return new StripeSource(reader.GetString(), null, null, null, null);
            using var doc = JsonDocument.ParseValue(ref reader);
            var e = doc.RootElement;
            string? Str(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            Dictionary<string, string>? metadata = null;
            if (e.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
                metadata = m.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
            return new StripeSource(Str("id"), Str("object"), Str("charge"), Str("description"), metadata);
        }

        public override void Write(Utf8JsonWriter writer, StripeSource? value, JsonSerializerOptions options) =>
            throw new NotSupportedException();
    }
}

/// <summary>Stripe's part of the shared plumbing: error body <c>{error: {type, code, message, param}}</c> → codes.</summary>
internal sealed class StripeProfile : VendorProfile
{
    public static readonly StripeProfile Instance = new();

    private static readonly string[] ErrorFields = ["type", "code", "message"];

    public override string Name => "Stripe";

    public override string UnavailableCode => ErrorCodes.PspUnavailable;

    public override ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter)
    {
        var status = response.StatusCode;
        string text;
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var e = doc.RootElement.GetProperty("error");
            text = string.Join(" ", ErrorFields.Select(n => e.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null).OfType<string>());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            text = response.Body.Length > 300 ? response.Body[..300] + "…" : response.Body;
        }

        return status switch
        {
            401 or 403 => new ConnectorException(ErrorCodes.PspAuthFailed, $"Stripe refused the API key for {operation} (HTTP {status}): {text}", FailureKind.Unauthorized, status),
            429 => new ConnectorException(ErrorCodes.PspRateLimited, $"Stripe rate limit reached during {operation}; retry after {FormatWait(retryAfter)}.", FailureKind.RateLimited, status)
            { RetryAfter = retryAfter ?? DefaultRetryAfter },
            >= 500 => new ConnectorException(ErrorCodes.PspUnavailable, $"Stripe answered HTTP {status} to {operation}: {text}", FailureKind.ServerError, status),
            _ => new ConnectorException(ErrorCodes.PspRequestRejected, $"Stripe answered HTTP {status} to {operation}: {text}", FailureKind.Rejected, status),
        };
    }
}
