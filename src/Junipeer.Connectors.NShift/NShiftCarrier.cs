using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Shipments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.NShift;

/// <summary>
/// nShift Delivery (Unifaun) REST API v1 as the carrier port (contract: contracts/nshift/SOURCE.md):
/// Book → POST /shipments (create and print; 201 → shipment info array with parcel numbers; 422 →
/// status list, whose messages become CARRIER_VALIDATION_FAILED); FindByReference → GET
/// /shipments?searchField=reference&amp;searchOp=equals&amp;searchValue=… (the stored-shipment search
/// parameters; on printed shipments an ASSUMPTION, see SOURCE.md). Auth: Bearer "ID-Secret". A create
/// is sent once; the handler resolves an uncertain one by reference.
/// </summary>
public sealed class NShiftCarrier : ICarrierBooking
{
    private readonly IFlurlClientCache _clients;
    private readonly ISecretResolver _secrets;
    private readonly JunipeerOptions _options;
    private readonly ILogger<NShiftCarrier> _logger;
    private readonly VendorHttp _http;

    public NShiftCarrier(IFlurlClientCache clients, ISecretResolver secrets, IOptions<JunipeerOptions> options, TimeProvider time, ILogger<NShiftCarrier> logger)
    {
        _clients = clients;
        _secrets = secrets;
        _options = options.Value;
        _logger = logger;
        _http = new VendorHttp(NShiftProfile.Instance, time, TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds), logger);
    }

    public const string DefaultApiBase = "https://api.unifaun.com/rs-extapi/v1";
    public const string UserAgent = "Junipeer/1.0";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public async Task<CarrierBooking> BookAsync(Integration integration, CarrierBookingRequest request, CancellationToken cancellationToken)
    {
        var settings = Settings(integration);
        var s = settings.Sender;
        var r = request.Receiver;
        var body = new ShipmentPrint(
            new PdfConfig("laser-a4"),
            new Shipment(
                new Party(s.QuickId, s.Name, s.Address1, null, s.Zipcode, s.City, s.Country, s.Phone, s.Email, null),
                new Party(null, r.Name ?? "", r.Address1, r.Address2, r.PostalCode, r.City ?? "", r.CountryCode ?? "", r.Phone, r.Email, r.Attention),
                new Service(request.ServiceId),
                [.. request.Parcels.Select(p => new Parcel(1, p.WeightKg > 0 ? p.WeightKg : null, p.Contents))],
                request.OrderNumber,
                request.Reference,
                request.ShipDate?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        var response = await SendAsync(integration, HttpMethod.Post, "shipments", [], JsonSerializer.Serialize(body, Json), idempotent: false, cancellationToken);
        var infos = TryParse<List<ShipmentInfo>>(response.Body)
                    ?? throw new ConnectorException(ErrorCodes.CarrierUnavailable, "nShift answered POST /shipments with a body that is not a shipment list.", FailureKind.Malformed, response.StatusCode);
        var info = infos.FirstOrDefault()
                   ?? throw new ConnectorException(ErrorCodes.CarrierUnavailable, "nShift answered POST /shipments with an empty list.", FailureKind.Malformed, response.StatusCode);
        _logger.LogInformation("Booked nShift shipment {Id} ({ShipmentNo}) for {Reference} of integration {IntegrationId}", info.Id, info.ShipmentNo, request.Reference, integration.Id);
        return ToBooking(info);
    }

    public async Task<IReadOnlyList<CarrierBooking>> FindByReferenceAsync(Integration integration, string reference, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, HttpMethod.Get, "shipments",
            [("searchField", "reference"), ("searchOp", "equals"), ("searchValue", reference)], null, idempotent: true, cancellationToken);
        var infos = TryParse<List<ShipmentInfo>>(response.Body)
                    ?? throw new ConnectorException(ErrorCodes.CarrierUnavailable, "nShift answered the shipment search with a body that is not a shipment list.", FailureKind.Malformed, response.StatusCode);

        // "equals" is documented for the stored-shipment search; keep exact matches on our side anyway.
        return infos.Where(i => string.Equals(i.Reference, reference, StringComparison.Ordinal)).Select(ToBooking).ToList();
    }

    private static CarrierBooking ToBooking(ShipmentInfo i) =>
        new(i.Id ?? "", i.ShipmentNo, i.Reference, [.. (i.Parcels ?? []).Select(p => p.ParcelNo).OfType<string>()]);

    private static NShiftSettings Settings(Integration integration) =>
        integration.Shipments.NShift ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Shipments.NShift settings.");

    /// <summary>Through the shared plumbing: reads retried on 5xx/timeouts/short 429s, the create only when it provably did not take effect.</summary>
    private Task<VendorResponse> SendAsync(Integration integration, HttpMethod method, string path, (string, string)[] query, string? json, bool idempotent, CancellationToken ct)
    {
        var settings = Settings(integration);
        var key = _secrets.Resolve(settings.ApiKeySecretName);
        var baseUrl = (settings.ApiBaseUrl ?? DefaultApiBase).TrimEnd('/');
        var timeout = TimeSpan.FromSeconds(_options.VismaNet.TimeoutSeconds);
        var client = _clients.GetOrAdd("nshift " + baseUrl, baseUrl, b => b.WithTimeout(timeout).WithHeader("Accept", "application/json").WithHeader("User-Agent", UserAgent));
        return _http.SendAsync(() =>
        {
            var request = client.Request(path).WithOAuthBearerToken(key);
            foreach (var (name, value) in query)
                request.SetQueryParam(name, value);
            return request;
        }, method, () => json is null ? null : new CapturedJsonContent(json), $"{method} /{path}", idempotent, ct);
    }

    internal static T? TryParse<T>(string text)
        where T : class
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<T>(text, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Trim(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private sealed record ShipmentPrint(PdfConfig PdfConfig, Shipment Shipment);

    private sealed record PdfConfig(string Target1Media);

    private sealed record Shipment(Party Sender, Party Receiver, Service Service, List<Parcel> Parcels, string OrderNo, string SenderReference, string? ShipDate);

    private sealed record Party(string? QuickId, string Name, string? Address1, string? Address2, string? Zipcode, string City, string Country, string? Phone, string? Email, string? Contact);

    private sealed record Service(string Id);

    private sealed record Parcel(int Copies, decimal? Weight, string? Contents);


    private sealed record ShipmentInfo(string? Id, string? ShipmentNo, string? OrderNo, string? Reference, List<ParcelInfo>? Parcels, string? Status);

    private sealed record ParcelInfo(string? ParcelNo);
}

/// <summary>nShift's part of the shared plumbing: its codes and error bodies (422 status list, 400/500 {code, message}).</summary>
internal sealed class NShiftProfile : VendorProfile
{
    public static readonly NShiftProfile Instance = new();

    public override string Name => "nShift";

    public override string UnavailableCode => ErrorCodes.CarrierUnavailable;

    public override ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter)
    {
        var status = response.StatusCode;
        if (status is 401 or 403)
            return new ConnectorException(ErrorCodes.CarrierAuthFailed, $"nShift refused the API key for {operation} (HTTP {status}).", FailureKind.Unauthorized, status);
        if (status == 429)
            return new ConnectorException(ErrorCodes.CarrierRateLimited, $"nShift rate limit reached during {operation}; retry after {FormatWait(retryAfter)}.", FailureKind.RateLimited, status)
            { RetryAfter = retryAfter ?? DefaultRetryAfter };
        if (status == 422)
        {
            // Documented: a status list [{message, messageCode, field, location, type: "error"|"ignorable"}]; nShift's own text is kept.
            var statuses = NShiftCarrier.TryParse<List<StatusEntry>>(response.Body) ?? [];
            var messages = statuses.Where(x => x.Type != "ignorable").Select(x => string.IsNullOrEmpty(x.Field) ? x.Message : $"{x.Message} ({x.Field})").ToList();
            return new ConnectorException(ErrorCodes.CarrierValidationFailed,
                $"nShift rejected {operation}: " + (messages.Count > 0 ? string.Join("; ", messages) : NShiftCarrier.Trim(response.Body)), FailureKind.Rejected, status);
        }

        var error = NShiftCarrier.TryParse<ErrorBody>(response.Body);
        var text = error?.Message is { } m ? $"{error.Code} {m}".Trim() : NShiftCarrier.Trim(response.Body);
        if (status >= 500)
            return new ConnectorException(ErrorCodes.CarrierUnavailable, $"nShift answered HTTP {status} to {operation}: {text}", FailureKind.ServerError, status);
        return new ConnectorException(ErrorCodes.CarrierValidationFailed, $"nShift answered HTTP {status} to {operation}: {text}", FailureKind.Rejected, status);
    }

    private sealed record StatusEntry(string? Message, string? MessageCode, string? Field, string? Location, string? Type);

    private sealed record ErrorBody(string? Code, string? Message);
}
