using System.Net;
using System.Text.Json;
using Junipeer.Core;
using Junipeer.Core.Errors;
using Junipeer.Core.Operations;
using Junipeer.Core.Preflight;
using Junipeer.Core.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Console;

/// <summary>
/// The operator console: one page (embedded HTML + vanilla JS, nothing from a CDN) and its JSON API
/// under /api/console, all on <see cref="OperationsService"/>. Every route needs a signed-in caller
/// (<see cref="ConsoleAuth"/>), 401 with a code otherwise; POSTs also need the anti-forgery header.
/// </summary>
public sealed class ConsoleFunctions(OperationsService ops, ConsoleAuth auth, PreflightRunner preflight, Junipeer.Core.Shadow.ShadowService shadow, ILogger<ConsoleFunctions> logger)
{
    private const string Api = "console/api/integrations/{integrationId}";

    [Function("ConsolePage")]
    public Task<IActionResult> Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console")] HttpRequest req) =>
        Task.FromResult(Authenticated(req, false, out _, out var denied, page: true) ? Asset("console.html", "text/html; charset=utf-8") : denied!);

    [Function("ConsoleScript")]
    public Task<IActionResult> Script([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/app.js")] HttpRequest req) =>
        Task.FromResult(Authenticated(req, false, out _, out var denied) ? Asset("console.js", "text/javascript; charset=utf-8") : denied!);

    /// <summary>Local sign-in: the admin secret from the form (or JSON) → session cookie and back to the page.</summary>
    [Function("ConsoleSignIn")]
    public async Task<IActionResult> SignIn([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "console/signin")] HttpRequest req, CancellationToken cancellationToken)
    {
        if (!auth.SecretSignInEnabled)
        {
            var (_, code, message) = auth.Authenticate(req);
            return Denied(code.Length > 0 ? code : ErrorCodes.ConsoleUnauthorized, code.Length > 0 ? message : "Secret sign-in is off: App Service Authentication signs operators in.", page: true);
        }

        string? secret = null;
        if (req.HasFormContentType)
        {
            secret = (await req.ReadFormAsync(cancellationToken))["secret"].ToString();
        }
        else if (req.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            secret = (await ReadJsonAsync(req, cancellationToken))?.GetValueOrDefault("secret");
        }

        if (secret is null || !auth.SecretMatches(secret))
        {
            logger.LogWarning("{ErrorCode}: console sign-in with a wrong secret from {Remote}", ErrorCodes.ConsoleUnauthorized, req.HttpContext.Connection.RemoteIpAddress);
            return Denied(ErrorCodes.ConsoleUnauthorized, "Wrong admin secret.", page: true);
        }

        req.HttpContext.Response.Cookies.Append(ConsoleAuth.CookieName, auth.NewSession(), auth.CookieOptions(req));
        logger.LogInformation("Console sign-in (admin secret)");
        return new RedirectResult("/api/console", permanent: false) { PreserveMethod = false };
    }

    [Function("ConsoleSignOut")]
    public Task<IActionResult> SignOut([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "console/signout")] HttpRequest req)
    {
        if (!Authenticated(req, true, out _, out var denied))
        {
            return Task.FromResult(denied!);
        }

        req.HttpContext.Response.Cookies.Append(ConsoleAuth.CookieName, "", auth.CookieOptions(req, expire: true));
        return Task.FromResult<IActionResult>(Json(200, new { signedOut = true }));
    }

    [Function("ConsoleSession")]
    public Task<IActionResult> Session([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/api/session")] HttpRequest req) =>
        Task.FromResult(Authenticated(req, false, out var caller, out var denied)
            ? Json(200, new { user = caller!.Name, mode = caller.Mode, csrf = caller.CsrfToken, csrfHeader = ConsoleAuth.CsrfHeader })
            : denied!);

    [Function("ConsoleIntegrations")]
    public Task<IActionResult> Integrations([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/api/integrations")] HttpRequest req, CancellationToken cancellationToken) =>
        Run(req, false, async () =>
        {
            var list = await ops.ListIntegrationsAsync(cancellationToken);
            return new { integrations = list.Select(i => new { id = i.Id, name = i.Name }).OrderBy(i => i.id, StringComparer.Ordinal) };
        });

    [Function("ConsoleOverview")]
    public Task<IActionResult> Overview([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Api)] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, false, async () => await ops.OverviewAsync(integrationId, IntQuery(req, "days", OperationsService.DefaultDays), cancellationToken));

    /// <summary>
    /// The shadow report (what a shadow-mode integration would book), the same as <c>junipeer shadow report --json</c>:
    /// counts, failures to fix first (grouped by code, with the fix), and every flow's records.
    /// </summary>
    [Function("ConsoleShadow")]
    public Task<IActionResult> Shadow([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Api + "/shadow")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, false, async () =>
        {
            var r = await shadow.ReportAsync(integrationId, cancellationToken);
            return new
            {
                integration = r.IntegrationId,
                mode = r.Mode.ToString(),
                r.CutOverDate,
                counts = new { r.WouldBook, r.AlreadyBooked, r.Skipped, r.Failed },
                totals = r.Totals,
                failures = r.FailuresByCode,
                flows = r.Flows,
            };
        });

    [Function("ConsoleFailed")]
    public Task<IActionResult> Failed([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Api + "/failed")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, false, async () => new { failed = await ops.FailedAsync(integrationId, Query(req, "flow"), Query(req, "code"), cancellationToken) });

    [Function("ConsoleEntity")]
    public Task<IActionResult> Entity([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Api + "/entity")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, false, async () => await ops.EntityAsync(integrationId, Query(req, "flow") ?? Flows.Orders, Query(req, "key") ?? "", cancellationToken));

    [Function("ConsoleEvents")]
    public Task<IActionResult> Events([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Api + "/events")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, false, async () =>
        {
            var status = Query(req, "status");
            EventSeverity? severity = status switch
            {
                null => null,
                "failed" => EventSeverity.Error,
                _ when Enum.TryParse<EventSeverity>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) => s,
                _ => throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"status '{status}' is not one of failed, error, warning, info."),
            };
            var list = await ops.EventsAsync(integrationId, new EventQuery(Query(req, "reference"), severity, Query(req, "flow"), IntQuery(req, "take", 100)), cancellationToken);
            return new { events = list };
        });

    [Function("ConsoleRetry")]
    public Task<IActionResult> Retry([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Api + "/retry")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, true, async () =>
        {
            var body = await BodyAsync(req, cancellationToken);
            return await ops.RetryAsync(integrationId, body.GetValueOrDefault("flow") ?? Flows.Orders, body.GetValueOrDefault("key") ?? "", cancellationToken);
        });

    [Function("ConsoleRetryFailed")]
    public Task<IActionResult> RetryFailed([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Api + "/retry-failed")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, true, async () =>
        {
            var body = await BodyAsync(req, cancellationToken);
            var code = body.GetValueOrDefault("code");
            return await ops.RetryFailedAsync(integrationId, body.GetValueOrDefault("flow") ?? Flows.Orders, string.IsNullOrEmpty(code) ? null : code, cancellationToken);
        });

    [Function("ConsoleBackfill")]
    public Task<IActionResult> Backfill([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Api + "/backfill")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, true, async () =>
        {
            var body = await BodyAsync(req, cancellationToken);
            var raw = body.GetValueOrDefault("from") ?? "";
            var from = DateOnly.TryParseExact(raw, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d)
                ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                : DateTimeOffset.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t
                : throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"from '{raw}' is not a date (yyyy-MM-dd) or an ISO 8601 instant.");
            return await ops.BackfillAsync(integrationId, body.GetValueOrDefault("flow") ?? Flows.Orders, from, cancellationToken);
        });

    /// <summary>
    /// The preflight button: the same <see cref="PreflightRunner"/> as `junipeer preflight`, read-only against the
    /// live ERP; answers the table (pass / fail / cannot-check, the fix of each failure) and its counts.
    /// </summary>
    [Function("ConsolePreflight")]
    public Task<IActionResult> Preflight([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Api + "/preflight")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, true, async () =>
        {
            var integration = await ops.RequireAsync(integrationId, cancellationToken);
            var report = await preflight.RunAsync(integration, cancellationToken);
            logger.LogInformation("Console preflight of {IntegrationId}: {Passed} passed, {Failed} failed, {CannotCheck} cannot be checked",
                integration.Id, report.Passed, report.Failed, report.CannotCheck);
            return new
            {
                integrationId = integration.Id,
                checks = report.Checks.Select(c => new { check = c.Check, outcome = OutcomeName(c.Outcome), code = c.Code, detail = c.Detail, fix = c.Fix }),
                passed = report.Passed,
                failed = report.Failed,
                cannotCheck = report.CannotCheck,
                codes = report.Codes,
            };
        });

    private static string OutcomeName(PreflightOutcome outcome) => outcome switch
    {
        PreflightOutcome.Pass => "pass",
        PreflightOutcome.Fail => "fail",
        _ => "cannot-check",
    };

    [Function("ConsoleReplayPoison")]
    public Task<IActionResult> ReplayPoison([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Api + "/replay-poison")] HttpRequest req, string integrationId, CancellationToken cancellationToken) =>
        Run(req, true, async () => await ops.ReplayPoisonAsync(integrationId, cancellationToken));

    private bool Authenticated(HttpRequest req, bool changesState, out ConsoleCaller? caller, out IActionResult? denied, bool page = false)
    {
        var (c, code, message) = auth.Authenticate(req);
        caller = c;
        denied = null;
        if (c is null)
        {
            denied = Denied(code, message, page);
            return false;
        }

        if (changesState && !ConsoleAuth.CsrfValid(req, c))
        {
            logger.LogWarning("{ErrorCode}: console POST {Path} without a valid anti-forgery token", ErrorCodes.ConsoleCsrfInvalid, req.Path.Value);
            denied = Error(403, ErrorCodes.ConsoleCsrfInvalid, $"Missing or wrong {ConsoleAuth.CsrfHeader} header: reload the console and try again.");
            return false;
        }

        req.HttpContext.Response.Headers.CacheControl = "no-store";
        return true;
    }

    private async Task<IActionResult> Run(HttpRequest req, bool changesState, Func<Task<object>> body)
    {
        if (!Authenticated(req, changesState, out _, out var denied))
        {
            return denied!;
        }

        try
        {
            return Json(200, await body());
        }
        catch (JunipeerException ex)
        {
            var status = ex.Code switch
            {
                ErrorCodes.IntegrationNotFound or ErrorCodes.LedgerEntityNotFound => 404,
                ErrorCodes.OperationFlowNotSupported or ErrorCodes.OperationRequestInvalid => 400,
                _ => 502, // a vendor refused (backfill reads the shop): its code says which
            };
            return Error(status, ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException)
        {
            logger.LogError(ex, "{ErrorCode}: console request {Path} failed", ErrorCodes.StorageUnavailable, req.Path.Value);
            return Error(503, ErrorCodes.StorageUnavailable, "Storage could not be reached; try again.");
        }
    }

    private static ContentResult Error(int status, string code, string message) =>
        Json(status, new { code, message, fix = ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix });

    /// <summary>JSON in the project's one convention (camelCase, enums by name, nulls left out), whatever the host's MVC defaults are.</summary>
    private static ContentResult Json(int status, object value) =>
        new() { StatusCode = status, ContentType = "application/json; charset=utf-8", Content = JsonSerializer.Serialize(value, JunipeerJson.Options) };

    /// <summary>401 with the code; the page route answers with the sign-in form (locally) so a browser can sign in.</summary>
    private ContentResult Denied(string code, string message, bool page)
    {
        if (!page)
        {
            return Error(401, code, message);
        }

        var html = ConsoleAssets.Read("signin.html")
            .Replace("{{CODE}}", WebUtility.HtmlEncode(code), StringComparison.Ordinal)
            .Replace("{{MESSAGE}}", WebUtility.HtmlEncode(message), StringComparison.Ordinal)
            .Replace("{{FORM}}", auth.SecretSignInEnabled ? "" : "hidden", StringComparison.Ordinal);
        return new ContentResult { StatusCode = 401, ContentType = "text/html; charset=utf-8", Content = html };
    }

    private static ContentResult Asset(string name, string type) => new() { StatusCode = 200, ContentType = type, Content = ConsoleAssets.Read(name) };

    private static string? Query(HttpRequest req, string name) => req.Query[name].ToString() is { Length: > 0 } v ? v : null;

    private static int IntQuery(HttpRequest req, string name, int fallback) =>
        Query(req, name) is not { } v ? fallback
        : int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
        : throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"{name} '{v}' is not a whole number.");

    private static async Task<Dictionary<string, string>> BodyAsync(HttpRequest req, CancellationToken ct) =>
        await ReadJsonAsync(req, ct) ?? throw new JunipeerException(ErrorCodes.OperationRequestInvalid, "The body must be a JSON object of strings.");

    private static async Task<Dictionary<string, string>?> ReadJsonAsync(HttpRequest req, CancellationToken ct)
    {
        try
        {
            var text = await Webhooks.WebhookRequests.ReadAtMostAsync(req.Body, 64 * 1024, ct);
            return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(text, JunipeerJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The console's files, embedded in this assembly (no CDN: operators may be offline).</summary>
public static class ConsoleAssets
{
    public static string Read(string name)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("Junipeer.Console." + name)
                           ?? throw new InvalidOperationException($"Console asset {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
