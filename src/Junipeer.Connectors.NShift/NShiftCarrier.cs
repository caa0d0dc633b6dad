using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Core.Errors;
using Junipeer.Core.Http;
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
public sealed class NShiftCarrier(
    IFlurlClientCache clients,
    ISecretResolver secrets,
    IOptions<JunipeerOptions> options,
    TimeProvider time,
    ILogger<NShiftCarrier> logger) : ICarrierBooking
{
    public const string DefaultApiBase = "https://api.unifaun.com/rs-extapi/v1";
    public const string UserAgent = "Junipeer/1.0";

    private static readonly JsonSerializerOptions Json = new()
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
        var (status, text) = await SendAsync(integration, HttpMethod.Post, "shipments", [], JsonSerializer.Serialize(body, Json), cancellationToken);
        if (status == 422)
        {
            var statuses = TryParse<List<StatusEntry>>(text) ?? [];
            var messages = statuses.Where(x => x.Type != "ignorable").Select(x => $"{x.Message} ({x.Field})").ToList();
            throw new JunipeerException(ErrorCodes.CarrierValidationFailed,
                $"nShift rejected shipment {request.Reference} (order {request.OrderNumber}, service {request.ServiceId}): " +
                (messages.Count > 0 ? string.Join("; ", messages) : Trim(text)));
        }

        if (status == 400)
        {
            var e = TryParse<ErrorBody>(text);
            throw new JunipeerException(ErrorCodes.CarrierValidationFailed, $"nShift answered 400 to shipment {request.Reference}: {e?.Code} {e?.Message ?? Trim(text)}");
        }

        EnsureSuccess(status, text, "POST /shipments");
        var infos = TryParse<List<ShipmentInfo>>(text) ?? throw new JunipeerException(ErrorCodes.CarrierUnavailable, "nShift answered POST /shipments with a body that is not a shipment list.");
        var info = infos.FirstOrDefault() ?? throw new JunipeerException(ErrorCodes.CarrierUnavailable, "nShift answered POST /shipments with an empty list.");
        logger.LogInformation("Booked nShift shipment {Id} ({ShipmentNo}) for {Reference} of integration {IntegrationId}", info.Id, info.ShipmentNo, request.Reference, integration.Id);
        return ToBooking(info);
    }

    public async Task<IReadOnlyList<CarrierBooking>> FindByReferenceAsync(Integration integration, string reference, CancellationToken cancellationToken)
    {
        var (status, text) = await SendAsync(integration, HttpMethod.Get, "shipments",
            [("searchField", "reference"), ("searchOp", "equals"), ("searchValue", reference)], null, cancellationToken);
        EnsureSuccess(status, text, "GET /shipments");
        var infos = TryParse<List<ShipmentInfo>>(text) ?? [];

        // "equals" is documented for the stored-shipment search; keep exact matches on our side anyway.
        return infos.Where(i => string.Equals(i.Reference, reference, StringComparison.Ordinal)).Select(ToBooking).ToList();
    }

    private static CarrierBooking ToBooking(ShipmentInfo i) =>
        new(i.Id ?? "", i.ShipmentNo, i.Reference, [.. (i.Parcels ?? []).Select(p => p.ParcelNo).OfType<string>()]);

    private static NShiftSettings Settings(Integration integration) =>
        integration.Shipments.NShift ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Shipments.NShift settings.");

    private void EnsureSuccess(int status, string text, string what)
    {
        if (status is 401 or 403)
            throw new JunipeerException(ErrorCodes.CarrierAuthFailed, $"nShift refused the API key for {what} (HTTP {status}).");
        if (status == 429)
            throw new JunipeerException(ErrorCodes.CarrierRateLimited, $"nShift rate limit reached during {what}.") { RetryAfter = TimeSpan.FromSeconds(2), RequestNotSent = true };
        if (status >= 500 || status is < 200 or >= 300)
            throw new JunipeerException(ErrorCodes.CarrierUnavailable, $"nShift answered HTTP {status} to {what}: {Trim(text)}");
        _ = time;
    }

    /// <summary>One request, sent once; transport failures map to CARRIER_UNAVAILABLE (a create that may have reached nShift is looked up by the handler).</summary>
    private async Task<(int Status, string Text)> SendAsync(Integration integration, HttpMethod method, string path, (string, string)[] query, string? json, CancellationToken ct)
    {
        var settings = Settings(integration);
        var key = secrets.Resolve(settings.ApiKeySecretName);
        var baseUrl = (settings.ApiBaseUrl ?? DefaultApiBase).TrimEnd('/');
        var timeout = TimeSpan.FromSeconds(options.Value.VismaNet.TimeoutSeconds);
        var client = clients.GetOrAdd("nshift " + baseUrl, baseUrl, b => b.WithTimeout(timeout).WithHeader("Accept", "application/json").WithHeader("User-Agent", UserAgent));
        var request = client.Request(path).WithOAuthBearerToken(key).AllowAnyHttpStatus();
        foreach (var (name, value) in query)
            request.SetQueryParam(name, value);
        try
        {
            using var response = await request.SendAsync(method, json is null ? null : new CapturedJsonContent(json), HttpCompletionOption.ResponseContentRead, ct);
            return (response.StatusCode, await response.GetStringAsync() ?? "");
        }
        catch (Exception ex) when (ex is FlurlHttpException or HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new JunipeerException(ErrorCodes.CarrierUnavailable, $"nShift did not answer {method} /{path}: {ex.Message}", ex);
        }
    }

    private static T? TryParse<T>(string text)
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

    private static string Trim(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private sealed record ShipmentPrint(PdfConfig PdfConfig, Shipment Shipment);

    private sealed record PdfConfig(string Target1Media);

    private sealed record Shipment(Party Sender, Party Receiver, Service Service, List<Parcel> Parcels, string OrderNo, string SenderReference, string? ShipDate);

    private sealed record Party(string? QuickId, string Name, string? Address1, string? Address2, string? Zipcode, string City, string Country, string? Phone, string? Email, string? Contact);

    private sealed record Service(string Id);

    private sealed record Parcel(int Copies, decimal? Weight, string? Contents);

    private sealed record StatusEntry(string? Message, string? MessageCode, string? Field, string? Location, string? Type);

    private sealed record ErrorBody(string? Code, string? Message);

    private sealed record ShipmentInfo(string? Id, string? ShipmentNo, string? OrderNo, string? Reference, List<ParcelInfo>? Parcels, string? Status);

    private sealed record ParcelInfo(string? ParcelNo);
}
