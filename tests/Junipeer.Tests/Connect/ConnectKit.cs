using System.Net;
using Junipeer.Core.Connect;
using Junipeer.Core.Integrations;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Connect;

/// <summary>Drives the interactive Visma Connect flow against the Sandbox (the browser's part done by an HttpClient).</summary>
internal static class ConnectKit
{
    public const string Callback = "https://junipeer.example/api/oauth/callback/vismanet";

    public static HarnessOptions Interactive(HarnessOptions? options = null)
    {
        options ??= new HarnessOptions();
        var inner = options.Integration;
        return options with
        {
            Integration = i =>
            {
                i = inner?.Invoke(i) ?? i;
                var v = i.Erp.VismaNet!;
                return i with
                {
                    Erp = i.Erp with
                    {
                        VismaNet = v with { Auth = VismaAuthMode.Interactive, CompanyTenantId = "", AuthorizeUrl = v.TokenUrl!.Replace("/token", "/authorize", StringComparison.Ordinal) },
                    },
                };
            },
        };
    }

    public static ConnectFlow Flow(this EngineHarness h) => h.Services.GetRequiredService<ConnectFlow>();

    /// <summary>Starts a connection and plays the user choosing <paramref name="tenant"/>: returns (state, code) from the redirect back.</summary>
    public static async Task<(string State, string Code)> AuthorizeAsync(EngineHarness h, string integrationId, string tenant)
    {
        var ct = TestContext.Current.CancellationToken;
        var start = await h.Flow().StartAsync("vismanet", integrationId, Callback, ct);
        Assert.Equal(302, start.StatusCode);
        var url = start.Redirect!.ToString();
        Assert.Contains("code_challenge_method=S256", url, StringComparison.Ordinal);
        Assert.Contains("code_challenge=", url, StringComparison.Ordinal);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        // The picker lists the company, then the choice redirects back with code and state.
        var picker = await http.GetStringAsync(url, ct);
        Assert.Contains(tenant, picker, StringComparison.Ordinal);
        using var chosen = await http.GetAsync(url + "&tenant_id=" + Uri.EscapeDataString(tenant), ct);
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        var back = chosen.Headers.Location!;
        Assert.StartsWith(Callback, back.ToString(), StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(back.Query);
        return (query["state"]!, query["code"]!);
    }

    public static async Task<ConnectResult> ConnectAsync(EngineHarness h, string integrationId, string tenant)
    {
        var (state, code) = await AuthorizeAsync(h, integrationId, tenant);
        return await h.Flow().CompleteAsync("vismanet", state, code, null, TestContext.Current.CancellationToken);
    }
}
