using System.Globalization;
using System.Text;
using System.Text.Json;
using Flurl.Http;
using Flurl.Http.Configuration;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Payouts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.Payments.Klarna;

/// <summary>
/// Klarna payouts from the Settlements API (contract: contracts/klarna/klarna-settlements-openapi.yml):
/// <c>GET /payouts/{payment_reference}</c>, then <c>GET /transactions?payment_reference=…&amp;size=500&amp;offset=…</c>
/// until <c>pagination.total</c> transactions are read. A payout id is Klarna's <c>payment_reference</c>
/// (the reference on the bank statement). Auth: HTTP Basic with the merchant's API credentials
/// (secret <c>payouts.providers.klarna.apiKeySecretName</c> = "username:password"), sent only to the
/// configured host; reads only, all through the shared plumbing (retried on 5xx/timeouts/short 429s).
/// <para>
/// Amounts are minor units (converted per currency exponent). Signs follow Klarna's "Calculation of
/// settlement amount" table (<see cref="Sign"/>); a FEE (or TAX) transaction carrying the capture id of a
/// SALE in the same payout is that sale's fee (written off on its invoice), other fees are fee lines.
/// Totals with no transaction type (fee correction, repay; tax when no TAX transaction is listed) become
/// one line each, so the lines add up to <c>settlement_amount</c>.
/// </para>
/// </summary>
public sealed class KlarnaPayoutSource : IPayoutSource
{
    public const string DefaultApiBase = "https://api.klarna.com/settlements/v1";

    /// <summary>The published maximum of <c>size</c>.</summary>
    public const int PageSize = 500;

    /// <summary>Safety stop for a runaway pager (1,000 pages of 500).</summary>
    public const int MaxPages = 1000;

    private const string GetPayoutOp = "GET /payouts/{payment_reference}";
    private const string ListPayoutsOp = "GET /payouts";
    private const string ListTransactionsOp = "GET /transactions";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
    };

    private readonly IFlurlClientCache _clients;
    private readonly ISecretResolver _secrets;
    private readonly JunipeerOptions _options;
    private readonly ILogger<KlarnaPayoutSource> _logger;
    private readonly VendorHttp _http;

    public KlarnaPayoutSource(IFlurlClientCache clients, ISecretResolver secrets, IOptions<JunipeerOptions> options, TimeProvider time, ILogger<KlarnaPayoutSource> logger)
    {
        _clients = clients;
        _secrets = secrets;
        _options = options.Value;
        _logger = logger;
        _http = new VendorHttp(KlarnaProfile.Instance, time, TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds), logger);
    }

    public string Provider => PayoutProviders.Klarna;

    public async Task<Payout?> GetPayoutAsync(Integration integration, string payoutId, CancellationToken cancellationToken)
    {
        KlarnaPayout payout;
        try
        {
            payout = Parse<KlarnaPayout>(await SendAsync(integration, "payouts/" + Uri.EscapeDataString(payoutId), GetPayoutOp, [], cancellationToken), GetPayoutOp);
        }
        catch (ConnectorException ex) when (ex.StatusCode == 404)
        {
            return null;
        }

        if (payout.Totals is null || string.IsNullOrEmpty(payout.PaymentReference) || string.IsNullOrEmpty(payout.CurrencyCode))
            throw new ConnectorException(ErrorCodes.PspUnavailable, $"Klarna answered {GetPayoutOp} without totals, payment_reference or currency_code.", FailureKind.Malformed);

        var transactions = await ReadAllAsync(
            integration,
            "transactions",
            ListTransactionsOp,
            [("payment_reference", payout.PaymentReference)],
            (KlarnaTransactionPage p) => (p.Transactions, p.Pagination),
            $"the transactions of payout {payoutId}",
            cancellationToken);
        var result = ToPayout(payout, transactions);
        _logger.LogInformation("Read Klarna payout {PayoutId} for integration {IntegrationId}: {Transactions} transactions, {Lines} lines, {Total} {Currency}",
            payoutId, integration.Id, transactions.Count, result.Lines.Count, result.Total, result.Currency);
        return result;
    }

    /// <summary>Payouts whose <c>payout_date</c> is at or after <paramref name="since"/> (<c>GET /payouts?start_date=…</c>, paged).</summary>
    public async Task<IReadOnlyList<string>> ListPayoutIdsAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var payouts = await ReadAllAsync(
            integration,
            "payouts",
            ListPayoutsOp,
            [("start_date", since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))],
            (KlarnaPayoutPage p) => (p.Payouts, p.Pagination),
            "the payout list",
            cancellationToken);
        return [.. payouts.Select(p => p.PaymentReference).OfType<string>().Where(r => r.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Offset paging: pages of <see cref="PageSize"/> until <c>pagination.total</c> items are read (or, when a
    /// total is not given, until a page is short). A page that ends the list before its total, or a total that
    /// changes while paging, means the list moved under the reader: <c>PSP_PAGING_INCOMPLETE</c> (retried), never
    /// a silently truncated payout.
    /// </summary>
    private async Task<List<T>> ReadAllAsync<TPage, T>(Integration integration, string path, string operation, IReadOnlyList<(string, string)> filter,
        Func<TPage, (List<T>? Items, KlarnaPagination? Pagination)> items, string what, CancellationToken ct)
        where TPage : class
    {
        var all = new List<T>();
        long? total = null;
        for (var page = 0; ; page++)
        {
            if (page >= MaxPages)
                throw new ConnectorException(ErrorCodes.PspPagingIncomplete, $"Klarna returned more than {MaxPages} pages for {what}; stopped reading.", FailureKind.Malformed);
            var query = new List<(string, string)>(filter)
            {
                ("size", PageSize.ToString(CultureInfo.InvariantCulture)),
                ("offset", all.Count.ToString(CultureInfo.InvariantCulture)),
            };
            var (list, pagination) = items(Parse<TPage>(await SendAsync(integration, path, operation, query, ct), operation));
            list ??= [];
            if (pagination?.Total is { } t)
            {
                if (total is { } before && before != t)
                    throw new ConnectorException(ErrorCodes.PspPagingIncomplete, $"Klarna's total for {what} changed from {before} to {t} while it was paged; read again.", FailureKind.Malformed);
                total = t;
            }

            all.AddRange(list);
            if (total is { } expected)
            {
                if (all.Count >= expected)
                {
                    if (all.Count > expected)
                        throw new ConnectorException(ErrorCodes.PspPagingIncomplete, $"Klarna returned {all.Count} items for {what} but reports a total of {expected}; read again.", FailureKind.Malformed);
                    return all;
                }

                if (list.Count == 0)
                    throw new ConnectorException(ErrorCodes.PspPagingIncomplete, $"Klarna's list of {what} ended after {all.Count} of {expected} items; read again.", FailureKind.Malformed);
            }
            else if (list.Count < PageSize)
            {
                return all;
            }
        }
    }

    /// <summary>
    /// The sign of a transaction type in Klarna's "Calculation of settlement amount" table
    /// (docs.klarna.com/settlement-reports, and the newer copy under docs.klarna.com/acquirer/klarna/after-payments/
    /// settlements/settlement-files): +1 money to the merchant, −1 money taken, 0 = taken as Klarna gives it.
    /// COMMISSION is "+" (the table's "+ total_commission_amount | + commission"; the field list says commissions
    /// are paid by Klarna to the merchant), but its reversal is a commission too ("− total_commission_reversal_amount
    /// | − commission"), so its sign depends on <c>detailed_type</c> (<see cref="Sign(string?, string?)"/>).
    /// CORRECTION has no row in the table and Klarna documents no sign for it: taken as given (UNCERTAIN), as
    /// are future types. Whether amounts are signed is not documented, so for the other types the magnitude is
    /// signed here and both forms read the same.
    /// </summary>
    public static int Sign(string? type) => type switch
    {
        "SALE" or "REVERSAL_MERCHANT_PROTECTION" or "CREDIT" or "RELEASE" or "FEE_REFUND" or "COMMISSION" => 1,
        "RETURN" or "REVERSAL" or "FEE" or "TAX" or "CHARGE" or "HOLDBACK" => -1,
        _ => 0,
    };

    /// <summary>
    /// <see cref="Sign(string?)"/> with the commission reversal told apart: a COMMISSION whose <c>detailed_type</c>
    /// is a commission return (<c>COMMISSION_RETURN</c>, <c>COMMISSION_RETURN_GROSS</c>: the detailed types of Klarna's
    /// published enum that name one) is −1. Klarna's docs do not say in words which detailed types make up
    /// <c>total_commission_reversal_amount</c>; the mapping by name is ours (UNCERTAIN).
    /// </summary>
    public static int Sign(string? type, string? detailedType) =>
        type == "COMMISSION" && detailedType is not null && detailedType.StartsWith("COMMISSION_RETURN", StringComparison.Ordinal) ? -1 : Sign(type);

    private static long Signed(long amount, string? type, string? detailedType) => Sign(type, detailedType) switch
    {
        1 => Math.Abs(amount),
        -1 => -Math.Abs(amount),
        _ => amount,
    };

    internal static Payout ToPayout(KlarnaPayout payout, IReadOnlyList<KlarnaTransaction> transactions)
    {
        var currency = MinorUnits.Code(payout.CurrencyCode);
        var totals = payout.Totals!;
        var sales = new Dictionary<string, int>(StringComparer.Ordinal); // capture id → index of its sale line
        var lines = new List<PayoutLine>();
        var feesOfSales = new List<(string CaptureId, long Fee)>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);

        string IdOf(KlarnaTransaction t)
        {
            var key = (t.Type ?? "UNKNOWN") + ":" + (NonEmpty(t.RefundId) ?? NonEmpty(t.CaptureId) ?? NonEmpty(t.OrderId) ?? "-")
                      + (t.Type is "SALE" or "RETURN" or "REVERSAL" ? "" : ":" + (t.DetailedType ?? ""));
            // Klarna transactions carry no id of their own; two with the same key get #2, #3… in reading order.
            var n = seen[key] = seen.GetValueOrDefault(key) + 1;
            return n == 1 ? key : key + "#" + n.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var t in transactions)
        {
            var amount = Signed(t.Amount, t.Type, t.DetailedType);
            var capture = NonEmpty(t.CaptureId);
            if (t.Type is "FEE" or "TAX" && capture is not null && transactions.Any(s => s.Type == "SALE" && NonEmpty(s.CaptureId) == capture))
            {
                feesOfSales.Add((capture, -amount)); // a cost, positive
                continue;
            }

            var kind = t.Type switch
            {
                "SALE" => PayoutLineKind.Sale,
                "RETURN" => PayoutLineKind.Refund,
                "REVERSAL" => PayoutLineKind.Chargeback, // a sale taken back by Klarna (dispute, fraud): booked like a chargeback
                "FEE" or "TAX" => PayoutLineKind.Fee,
                // COMMISSION is money Klarna pays the merchant (or takes back), not a Klarna fee: another line.
                // CORRECTION: Klarna's docs state no sign convention for it (no row in the settlement table), so its
                // amount is taken exactly as sent, never given a guessed sign. If that reading is wrong the lines no
                // longer add up to settlement_amount and the payout is held as PAYOUT_TOTAL_MISMATCH with the
                // difference shown (PayoutSyncHandler.CheckPayout), before anything is booked.
                _ => PayoutLineKind.Other,
            };
            var id = IdOf(t);
            if (kind == PayoutLineKind.Sale && capture is not null)
                sales.TryAdd(capture, lines.Count);
            lines.Add(new PayoutLine
            {
                TransactionId = id,
                Kind = kind,
                Reference = kind is PayoutLineKind.Sale or PayoutLineKind.Refund or PayoutLineKind.Chargeback ? NonEmpty(t.MerchantReference1) ?? NonEmpty(t.MerchantReference2) : null,
                Gross = MinorUnits.ToMajor(amount, currency),
                Currency = MinorUnits.Code(t.CurrencyCode ?? payout.CurrencyCode),
                Description = string.IsNullOrEmpty(t.DetailedType) ? t.Type : t.Type + " " + t.DetailedType,
            });
        }

        foreach (var (capture, fee) in feesOfSales)
        {
            var i = sales[capture];
            lines[i] = lines[i] with { Fee = lines[i].Fee + MinorUnits.ToMajor(fee, currency) };
        }

        // Totals that have no transaction type of their own (docs: "N/A" in the settlement table).
        void Total(string name, long minor, PayoutLineKind kind)
        {
            if (minor != 0)
                lines.Add(new PayoutLine { TransactionId = "TOTAL:" + name, Kind = kind, Gross = MinorUnits.ToMajor(minor, currency), Currency = currency, Description = "Klarna " + name.Replace('_', ' ') });
        }

        Total("fee_correction", totals.FeeCorrectionAmount ?? 0, PayoutLineKind.Fee);
        Total("repay", -Math.Abs(totals.RepayAmount ?? 0), PayoutLineKind.Other);
        if (!transactions.Any(t => t.Type == "TAX"))
            Total("tax", -Math.Abs(totals.TaxAmount ?? 0), PayoutLineKind.Fee);

        var date = payout.PayoutDate ?? throw new ConnectorException(ErrorCodes.PspUnavailable, $"Klarna payout {payout.PaymentReference} has no payout_date.", FailureKind.Malformed);
        return new Payout
        {
            Provider = PayoutProviders.Klarna,
            PayoutId = payout.PaymentReference!,
            Currency = currency,
            Total = MinorUnits.ToMajor(totals.SettlementAmount ?? 0, currency),
            Date = DateOnly.FromDateTime(date.UtcDateTime),
            CreatedAt = date,
            Lines = lines,
        };
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static PspPayoutSettings Settings(Integration integration) =>
        integration.Payouts.Providers.GetValueOrDefault(PayoutProviders.Klarna)
        ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no payouts.providers.klarna settings.");

    private Task<VendorResponse> SendAsync(Integration integration, string path, string operation, IReadOnlyList<(string Name, string Value)> query, CancellationToken ct)
    {
        var settings = Settings(integration);
        var credentials = _secrets.Resolve(settings.ApiKeySecretName
                                           ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"payouts.providers.klarna.apiKeySecretName (the Klarna API credentials, \"username:password\") is not set for integration '{integration.Id}'."));
        if (!credentials.Contains(':', StringComparison.Ordinal))
            throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The secret named by payouts.providers.klarna.apiKeySecretName of integration '{integration.Id}' must be \"username:password\" (Klarna API credentials).");
        var baseUrl = (settings.ApiBaseUrl ?? DefaultApiBase).TrimEnd('/');
        var timeout = TimeSpan.FromSeconds(_options.VismaNet.TimeoutSeconds);
        var client = _clients.GetOrAdd("klarna " + baseUrl, baseUrl, b => b.WithTimeout(timeout).WithHeader("Accept", "application/json").WithHeader("User-Agent", "Junipeer/1.0"));
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        return _http.SendAsync(() =>
        {
            var request = client.Request(path).WithHeader("Authorization", basic);
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
                   ?? throw new ConnectorException(ErrorCodes.PspUnavailable, $"Klarna answered {operation} with an empty body.", FailureKind.Malformed, response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new ConnectorException(ErrorCodes.PspUnavailable, $"Klarna answered {operation} with a body that is not the documented object: {ex.Message}", FailureKind.Malformed, response.StatusCode, ex);
        }
    }

    internal sealed record KlarnaPagination(long? Count, long? Total, long? Offset);

    internal sealed record KlarnaTotals(long? SettlementAmount, long? SaleAmount, long? ReturnAmount, long? FeeAmount, long? FeeCorrectionAmount, long? RepayAmount, long? TaxAmount);

    internal sealed record KlarnaPayout(string? PaymentReference, DateTimeOffset? PayoutDate, string? CurrencyCode, string? MerchantSettlementType, KlarnaTotals? Totals);

    internal sealed record KlarnaPayoutPage(List<KlarnaPayout>? Payouts, KlarnaPagination? Pagination);

    internal sealed record KlarnaTransaction(long Amount, string? Type, string? DetailedType, string? CaptureId, string? RefundId, string? OrderId,
        string? MerchantReference1, string? MerchantReference2, string? CurrencyCode, string? PaymentReference);

    internal sealed record KlarnaTransactionPage(List<KlarnaTransaction>? Transactions, KlarnaPagination? Pagination);
}

/// <summary>Klarna's part of the shared plumbing: error body <c>{error_code, error_messages[], correlation_id}</c> → codes.</summary>
internal sealed class KlarnaProfile : VendorProfile
{
    public static readonly KlarnaProfile Instance = new();

    public override string Name => "Klarna";

    public override string UnavailableCode => ErrorCodes.PspUnavailable;

    public override ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter)
    {
        var status = response.StatusCode;
        string text;
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var e = doc.RootElement;
            var code = e.TryGetProperty("error_code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var messages = e.TryGetProperty("error_messages", out var m) && m.ValueKind == JsonValueKind.Array
                ? string.Join(" ", m.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()))
                : null;
            var correlation = e.TryGetProperty("correlation_id", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            text = $"{code} {messages}".Trim() + (correlation is null ? "" : $" (correlation_id {correlation})");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            text = response.Body.Length > 300 ? response.Body[..300] + "…" : response.Body;
        }

        return status switch
        {
            401 or 403 => new ConnectorException(ErrorCodes.PspAuthFailed, $"Klarna refused the API credentials for {operation} (HTTP {status}): {text}", FailureKind.Unauthorized, status),
            429 => new ConnectorException(ErrorCodes.PspRateLimited, $"Klarna rate limit reached during {operation}; retry after {FormatWait(retryAfter)}.", FailureKind.RateLimited, status)
            { RetryAfter = retryAfter ?? DefaultRetryAfter },
            >= 500 => new ConnectorException(ErrorCodes.PspUnavailable, $"Klarna answered HTTP {status} to {operation}: {text}", FailureKind.ServerError, status),
            _ => new ConnectorException(ErrorCodes.PspRequestRejected, $"Klarna answered HTTP {status} to {operation}: {text}", FailureKind.Rejected, status),
        };
    }
}
