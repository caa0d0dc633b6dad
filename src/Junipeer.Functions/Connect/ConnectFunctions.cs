using Junipeer.Core.Connect;
using Junipeer.Core.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Junipeer.Functions.Connect;

/// <summary>
/// Interactive connection of a system (today Visma Connect): GET /api/connect/{system}/{integrationId}
/// redirects to the identity provider with a one-time state and a PKCE challenge; the provider sends
/// the browser back to GET /api/oauth/callback/{system}?code&amp;state, which binds the company the
/// user chose to the integration the state was issued for. Both anonymous (a browser redirect); the
/// state is the CSRF defence and works once within 10 minutes. Answers carry a code and a message,
/// never a token, code or state.
/// </summary>
public sealed class ConnectFunctions(ConnectFlow flow, IOptions<JunipeerOptions> options)
{
    public const string CallbackRoute = "oauth/callback";

    [Function("ConnectStart")]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "connect/{system}/{integrationId}")] HttpRequest req,
        string system,
        string integrationId,
        CancellationToken cancellationToken)
    {
        var result = await flow.StartAsync(system, integrationId, RedirectUri(req, system), cancellationToken);
        return result.Redirect is { } url ? new RedirectResult(url.ToString(), permanent: false) : Json(result);
    }

    [Function("OAuthCallback")]
    public async Task<IActionResult> Callback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CallbackRoute + "/{system}")] HttpRequest req,
        string system,
        CancellationToken cancellationToken)
    {
        var q = req.Query;
        return Json(await flow.CompleteAsync(system, q["state"].FirstOrDefault(), q["code"].FirstOrDefault(), q["error"].FirstOrDefault(), cancellationToken));
    }

    /// <summary>The callback URL registered at the provider: Junipeer:Connect:PublicBaseUrl when set (behind a proxy), else this request's origin.</summary>
    private string RedirectUri(HttpRequest req, string system)
    {
        var configured = options.Value.Connect.PublicBaseUrl;
        var origin = string.IsNullOrWhiteSpace(configured) ? $"{req.Scheme}://{req.Host}" : configured.TrimEnd('/');
        return $"{origin}/api/{CallbackRoute}/{Uri.EscapeDataString(system.ToLowerInvariant())}";
    }

    private static ObjectResult Json(ConnectResult r) => new(r.Code is null
        ? new { connected = true, integration = r.IntegrationId, company = r.Company, message = r.Message }
        : new { code = r.Code, message = r.Message, integration = r.IntegrationId } as object)
    { StatusCode = r.StatusCode };
}
