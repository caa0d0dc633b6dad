using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Connectors.Centra.Dtos;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Centra's Integration API (GraphQL, POST <c>CentraSettings.GraphQlUrl</c>) on the shared plumbing
/// (<see cref="VendorHttp"/>): queries are reads (retried on 5xx, timeouts, broken connections, short
/// 429s), mutations are writes (retried only on 429 or a connection that never opened). Every
/// Centra port (orders, and the flows after it) sends through here.
/// </summary>
public sealed partial class CentraGraphQlClient
{
    public const string UserAgent = "Junipeer/1.0";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly IFlurlClientCache _clients;
    private readonly ISecretResolver _secrets;
    private readonly JunipeerOptions _options;
    private readonly VendorHttp _http;

    public CentraGraphQlClient(IFlurlClientCache clients, ISecretResolver secrets, IOptions<JunipeerOptions> options, TimeProvider time, ILogger<CentraGraphQlClient> logger)
    {
        _clients = clients;
        _secrets = secrets;
        _options = options.Value;
        _http = new VendorHttp(CentraProfile.Instance, time, TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds), logger);
    }

    /// <summary>Runs a query (idempotent) and returns its data; any GraphQL error fails the call with its code.</summary>
    public Task<TData> QueryAsync<TData>(Integration integration, string operationName, string query, IReadOnlyDictionary<string, object> variables, CancellationToken cancellationToken)
        where TData : class =>
        ExecuteAsync<TData>(integration, operationName, query, variables, idempotent: true, cancellationToken);

    /// <summary>Runs a mutation (not retried after it may have reached Centra).</summary>
    public Task<TData> MutateAsync<TData>(Integration integration, string operationName, string mutation, IReadOnlyDictionary<string, object> variables, CancellationToken cancellationToken)
        where TData : class =>
        ExecuteAsync<TData>(integration, operationName, mutation, variables, idempotent: false, cancellationToken);

    private async Task<TData> ExecuteAsync<TData>(Integration integration, string operationName, string document, IReadOnlyDictionary<string, object> variables, bool idempotent, CancellationToken cancellationToken)
        where TData : class
    {
        var settings = integration.Shop.Centra
                       ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Shop.Centra settings.");
        var token = _secrets.Resolve(settings.TokenSecretName);
        var timeout = TimeSpan.FromSeconds(_options.Centra.TimeoutSeconds);
        var client = _clients.GetOrAdd("centra " + settings.GraphQlUrl, settings.GraphQlUrl, builder => builder
            .WithTimeout(timeout)
            .WithHeader("Accept", "application/json")
            .WithHeader("User-Agent", UserAgent));
        var body = JsonSerializer.Serialize(new GraphQlRequest(document, variables, operationName), Json);

        var response = await _http.SendAsync(() => client.Request().WithOAuthBearerToken(token), HttpMethod.Post, () => new CapturedJsonContent(body),
            operationName, idempotent, cancellationToken);

        // A 200 may still carry errors (GraphQL): the same mapping decides.
        var parsed = CentraProfile.Parse<TData>(operationName, response.StatusCode, response.Body);
        if (parsed?.Errors is { Count: > 0 })
            throw CentraProfile.Instance.FromResponse(operationName, response, null);
        return parsed?.Data ?? throw new CentraApiException(ErrorCodes.ShopResponseMalformed, $"Centra answered {operationName} without data and without errors.", FailureKind.Malformed, response.StatusCode);
    }
}

/// <summary>Centra's part of the shared plumbing: its codes and its GraphQL error categories.</summary>
internal sealed partial class CentraProfile : VendorProfile
{
    public static readonly CentraProfile Instance = new();

    [GeneratedRegex(@"You need (\S+) permission")]
    private static partial Regex PermissionInMessage();

    public override string Name => "Centra";

    public override string UnavailableCode => ErrorCodes.ShopUnavailable;

    public override ConnectorException Transport(string operation, FailureKind kind, Exception inner) =>
        new CentraApiException(ErrorCodes.ShopUnavailable, TransportMessage(operation, kind, inner), kind, null, inner);

    public static GraphQlResponse<TData>? Parse<TData>(string operationName, int status, string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<GraphQlResponse<TData>>(text, CentraGraphQlClient.Json);
        }
        catch (JsonException) when (status is < 200 or >= 300)
        {
            return null; // Error pages need not be JSON.
        }
        catch (JsonException ex)
        {
            throw new CentraApiException(ErrorCodes.ShopResponseMalformed, $"Centra answered {operationName} with a body that is not GraphQL JSON: {ex.Message.Split('.')[0]}", FailureKind.Malformed, status, ex);
        }
    }

    public override ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter)
    {
        var status = response.StatusCode;
        var parsed = Parse<JsonElement>(operation, status, response.Body);
        var messages = parsed?.Errors is { Count: > 0 } errors
            ? string.Join("; ", errors.Select(e => e.Message).Where(m => !string.IsNullOrWhiteSpace(m)))
            : Trim(response.Body);

        if (status is 401 || parsed?.Errors?.Any(e => e.Extensions?.Category is "authentication") == true)
            return new CentraApiException(ErrorCodes.ShopAuthFailed,
                $"Centra refused the API token for {operation} (HTTP {status}): {messages}. The Integration API token may have expired (default 30 days) or been revoked.",
                FailureKind.Unauthorized, status);

        // Centra answers a field the token may not read with an "authorization" error naming the permission
        // ("You need Voucher:read permission to access voucher."), and null in its place. Never read on with
        // the hole: the order would be invoiced without the data.
        if (status is 403 || parsed?.Errors?.Any(e => e.Extensions?.Category is "authorization") == true)
        {
            var denied = (parsed?.Errors ?? []).Where(e => e.Extensions?.Category is "authorization").ToList();
            var permissions = denied.Select(e => PermissionInMessage().Match(e.Message ?? "")).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
            var fields = denied.Select(e => e.Path is { Count: > 0 } p ? string.Join('.', p.Select(x => x.ToString())) : null).OfType<string>().Distinct(StringComparer.Ordinal).Take(5).ToList();
            var named = permissions.Count > 0 ? string.Join(", ", permissions) : "(not named by Centra)";
            return new CentraApiException(ErrorCodes.ShopPermissionMissing,
                $"The Centra API token lacks the permission {named} needed by {operation}" + (fields.Count > 0 ? $" (fields: {string.Join(", ", fields)})" : "") +
                $". Add it to the integration's Integration API token in Centra AMS (System → API Tokens); docs/configuration.md lists every permission Junipeer needs. Centra said: {messages}",
                FailureKind.Unauthorized, status)
            {
                MissingPermissions = permissions,
            };
        }

        if (status == 429)
        {
            var wait = retryAfter ?? DefaultRetryAfter;
            return new CentraApiException(ErrorCodes.ShopRateLimited,
                $"Centra rate limit reached during {operation}; retry after {Math.Ceiling(wait.TotalSeconds)} s.", FailureKind.RateLimited, status)
            { RetryAfter = wait };
        }

        if (status >= 500)
            return new CentraApiException(ErrorCodes.ShopUnavailable, $"Centra answered HTTP {status} to {operation}: {messages}", FailureKind.ServerError, status);

        return new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra answered {operation} with errors (HTTP {status}): {messages}", FailureKind.Rejected, status);
    }

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length > 500 ? text[..500] + "…" : text;
    }
}
