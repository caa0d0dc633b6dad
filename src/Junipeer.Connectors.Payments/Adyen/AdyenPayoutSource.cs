using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Flurl.Http;
using Flurl.Http.Configuration;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Payouts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.Payments.Adyen;

/// <summary>
/// Adyen payouts from the settlement details report (contracts/adyen/SOURCE.md). A payout id is
/// "&lt;merchant account&gt;:&lt;batch number&gt;" (batch numbers count per merchant account). The report
/// <c>settlement_detail_report_batch_&lt;n&gt;.csv</c> is downloaded from
/// <c>{apiBaseUrl}/reports/download/MerchantAccount/{merchant}/{file}</c> with HTTP Basic auth of the
/// report user (secret <c>payouts.providers.adyen.apiKeySecretName</c> = "user:password") through the
/// shared plumbing (<see cref="VendorHttp.ReadStreamAsync{T}"/>: retried as a read, streamed, never held
/// whole) and parsed row by row (<see cref="AdyenSettlementReport"/>). The URL is built from settings,
/// never taken from a notification, so the report credentials only go to the configured host.
/// 404 → null (the flow reports PAYOUT_NOT_FOUND).
/// </summary>
public sealed partial class AdyenPayoutSource : IPayoutSource, IBatchPayoutSource
{
    public const string DefaultReportBase = "https://ca-live.adyen.com";

    private readonly IFlurlClientCache _clients;
    private readonly ISecretResolver _secrets;
    private readonly JunipeerOptions _options;
    private readonly ILogger<AdyenPayoutSource> _logger;
    private readonly VendorHttp _http;

    public AdyenPayoutSource(IFlurlClientCache clients, ISecretResolver secrets, IOptions<JunipeerOptions> options, TimeProvider time, ILogger<AdyenPayoutSource> logger)
    {
        _clients = clients;
        _secrets = secrets;
        _options = options.Value;
        _logger = logger;
        _http = new VendorHttp(AdyenReportProfile.Instance, time, TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds), logger);
    }

    public string Provider => PayoutProviders.Adyen;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
    public static partial Regex MerchantAccountCode();

    /// <summary>Splits "merchant:batch"; null when malformed.</summary>
    public static (string Merchant, long Batch)? ParsePayoutId(string payoutId)
    {
        var i = payoutId.LastIndexOf(':');
        if (i <= 0)
            return null;
        var merchant = payoutId[..i];
        return MerchantAccountCode().IsMatch(merchant) && long.TryParse(payoutId[(i + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var batch) && batch > 0
            ? (merchant, batch)
            : null;
    }

    public async Task<Payout?> GetPayoutAsync(Integration integration, string payoutId, CancellationToken cancellationToken)
    {
        var id = ParsePayoutId(payoutId)
                 ?? throw new JunipeerException(ErrorCodes.QueueMessageInvalid, $"Adyen payout id '{payoutId}' is not '<merchant account>:<batch number>'.");
        var (request, file) = ReportRequest(integration, id.Merchant, id.Batch);
        try
        {
            var payout = await _http.ReadStreamAsync(
                request,
                $"GET report {file}",
                async (stream, ct) =>
                {
                    using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
                    return await AdyenSettlementReport.ToPayoutAsync(reader, id.Merchant, id.Batch, ct);
                },
                cancellationToken);
            _logger.LogInformation("Read Adyen {File} of {Merchant} for integration {IntegrationId}: {Lines} lines, payout {Total} {Currency}",
                file, id.Merchant, integration.Id, payout.Lines.Count, payout.Total, payout.Currency);
            return payout;
        }
        catch (ConnectorException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    public string PayoutId(string account, long batch) => AdyenSettlementReport.PayoutId(account, batch);

    /// <summary>
    /// The timer's probe for a batch whose REPORT_AVAILABLE never came: the same documented GET of
    /// <c>settlement_detail_report_batch_&lt;n&gt;.csv</c> (Adyen documents no HEAD and no listing), with the
    /// body left unread once the status is known. Adyen's docs say reports are generated when the batch
    /// closes (about two hours after the payable closing time) but are silent on what the download answers
    /// for a report that does not exist (yet); public crawlers of this URL (e.g. Yoast's singer-tap-adyen,
    /// which walks batch numbers upward from a stored one) take 404 as "not there", and so do we: 404 →
    /// false ("not yet"). Any other refusal (401/403 credentials, 5xx, a broken connection) throws.
    /// </summary>
    public async Task<bool> BatchExistsAsync(Integration integration, string account, long batch, CancellationToken cancellationToken)
    {
        if (!MerchantAccountCode().IsMatch(account) || batch <= 0)
            throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"'{account}' batch {batch} is not an Adyen merchant account code and batch number (payouts.providers.adyen.merchantAccounts).");
        var (request, file) = ReportRequest(integration, account, batch);
        try
        {
            return await _http.ReadStreamAsync(request, $"GET report {file} (probe)", (_, _) => Task.FromResult(true), cancellationToken);
        }
        catch (ConnectorException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }

    /// <summary>The report download request, built from settings (never from a notification) so the credentials go only to the configured host.</summary>
    private (Func<IFlurlRequest> Request, string File) ReportRequest(Integration integration, string merchant, long batch)
    {
        var settings = integration.Payouts.Providers.GetValueOrDefault(PayoutProviders.Adyen)
                       ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no payouts.providers.adyen settings.");
        var secretName = settings.ApiKeySecretName
                         ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"payouts.providers.adyen.apiKeySecretName (the report user, \"user:password\") is not set for integration '{integration.Id}'.");
        var credentials = _secrets.Resolve(secretName);
        var baseUrl = (settings.ApiBaseUrl ?? DefaultReportBase).TrimEnd('/');
        var file = AdyenSettlementReport.FileName(batch);
        var timeout = TimeSpan.FromSeconds(_options.VismaNet.TimeoutSeconds);
        var client = _clients.GetOrAdd("adyen-reports " + baseUrl, baseUrl, b => b.WithTimeout(timeout).WithHeader("User-Agent", "Junipeer/1.0"));
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        return (() => client.Request("reports", "download", "MerchantAccount", merchant, file).WithHeader("Authorization", basic), file);
    }

    /// <summary>
    /// The report download has no documented listing or search by date (contracts/adyen/SOURCE.md), so
    /// nothing is listed here: the timer probes batch numbers instead (<see cref="BatchExistsAsync"/>,
    /// <see cref="BatchPayoutSweep"/>) for the merchant accounts in <c>payouts.providers.adyen.merchantAccounts</c>.
    /// </summary>
    public Task<IReadOnlyList<string>> ListPayoutIdsAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken)
    {
        _logger.LogDebug("Adyen has no report listing; integration {IntegrationId} is probed by batch number", integration.Id);
        return Task.FromResult<IReadOnlyList<string>>([]);
    }
}

/// <summary>Adyen's report download in the shared plumbing: no JSON error body is documented for it, so status codes only.</summary>
internal sealed class AdyenReportProfile : VendorProfile
{
    public static readonly AdyenReportProfile Instance = new();

    public override string Name => "Adyen";

    public override string UnavailableCode => ErrorCodes.PspUnavailable;

    public override ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter)
    {
        var status = response.StatusCode;
        if (status is 401 or 403)
            return new ConnectorException(ErrorCodes.PspAuthFailed, $"Adyen refused the report user's credentials for {operation} (HTTP {status}).", FailureKind.Unauthorized, status);
        if (status == 429)
            return new ConnectorException(ErrorCodes.PspUnavailable, $"Adyen rate limit reached during {operation}; retry after {FormatWait(retryAfter)}.", FailureKind.RateLimited, status)
            { RetryAfter = retryAfter ?? DefaultRetryAfter };
        var text = response.Body.Length > 300 ? response.Body[..300] + "…" : response.Body;
        if (status >= 500)
            return new ConnectorException(ErrorCodes.PspUnavailable, $"Adyen answered HTTP {status} to {operation}: {text}", FailureKind.ServerError, status);
        return new ConnectorException(ErrorCodes.PayoutNotFound, $"Adyen answered HTTP {status} to {operation}: {text}", FailureKind.Rejected, status);
    }
}
