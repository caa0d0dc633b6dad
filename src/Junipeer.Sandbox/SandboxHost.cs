using System.Net;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Control;
using Junipeer.Sandbox.Visma;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Junipeer.Sandbox;

/// <summary>
/// The sandbox web app (Visma Connect, Visma.net ERP, Centra, control plane) running in-process on 127.0.0.1.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _webhookHttp;

    private SandboxHost(WebApplication app, SandboxState state, Uri baseUri, HttpClient webhookHttp, CentraWebhookSender sender, VismaWebhookSender vismaSender)
    {
        VismaWebhooks = vismaSender;
        _app = app;
        State = state;
        BaseUri = baseUri;
        _webhookHttp = webhookHttp;
        Webhooks = sender;
    }

    /// <summary>Root of the app with a trailing slash, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Visma.net ERP API base (stands for <c>https://api.finance.visma.net</c>): <c>{BaseUri}visma</c>.</summary>
    public Uri VismaApiBase => new(BaseUri, "visma");

    /// <summary>Visma Connect token endpoint: <c>{BaseUri}visma-connect/connect/token</c>.</summary>
    public Uri VismaTokenUrl => new(BaseUri, "visma-connect/connect/token");

    /// <summary>Centra Integration API: <c>{BaseUri}centra/graphql</c>.</summary>
    public Uri CentraGraphQlUrl => new(BaseUri, "centra/graphql");

    /// <summary>nShift Delivery REST API (stands for <c>https://api.unifaun.com/rs-extapi/v1</c>): <c>{BaseUri}nshift/rs-extapi/v1</c>.</summary>
    public Uri NShiftApiBase => new(BaseUri, "nshift/rs-extapi/v1");

    /// <summary>Stripe API (stands for <c>https://api.stripe.com</c>): <c>{BaseUri}stripe</c>.</summary>
    public Uri StripeApiBase => new(BaseUri, "stripe");
    /// <summary>Adyen report download base (stands for <c>https://ca-live.adyen.com</c>): <c>{BaseUri}adyen</c>.</summary>
    public Uri AdyenReportBase => new(BaseUri, "adyen");

    /// <summary>Klarna Settlements API (stands for <c>https://api.klarna.com/settlements/v1</c>): <c>{BaseUri}klarna</c>.</summary>
    public Uri KlarnaApiBase => new(BaseUri, "klarna");

    /// <summary>The Visma webhook sender (same as <c>POST /_sandbox/visma/webhooks</c>).</summary>
    public VismaWebhookSender VismaWebhooks { get; }

    /// <summary>Control plane root: <c>{BaseUri}_sandbox/</c>.</summary>
    public Uri ControlBase => new(BaseUri, "_sandbox/");

    public SandboxState State { get; }

    public SandboxOptions Options => State.Options;

    /// <summary>The Centra webhook sender (same as <c>POST /_sandbox/centra/webhooks</c>).</summary>
    public CentraWebhookSender Webhooks { get; }

    public static async Task<SandboxHost> StartAsync(SandboxOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SandboxOptions();

        // Load Visma's published contract now, so a broken document fails start-up, not a request.
        _ = VismaContract.Instance;
        var state = new SandboxState(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (options.EnableConsoleLogging)
        {
            builder.Logging.AddSimpleConsole();
        }

        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddSingleton(state);
        var app = builder.Build();

        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var sender = new CentraWebhookSender(state, http);
        var vismaSender = new VismaWebhookSender(state, http);
        try
        {
            app.UseRouting();
            app.Use((ctx, next) => RouteGateAsync(ctx, next, state));
            foreach (var module in state.Modules)
            {
                module.MapRoutes(app);
                module.MapControl(app);
            }

            ControlEndpoints.Map(app, state, sender);
            ShipmentControlEndpoints.Map(app, state, vismaSender);
            ShipmentControlEndpoints.MapInventoryWebhooks(app, state, vismaSender);

            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel reported no address.");
            return new SandboxHost(app, state, new Uri(address.TrimEnd('/') + "/"), http, sender, vismaSender);
        }
        catch
        {
            http.Dispose();
            vismaSender.Dispose();
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Delivers Centra webhooks (see <see cref="WebhookRequest"/>).</summary>
    public Task<WebhookResult> SendWebhooksAsync(WebhookRequest request, CancellationToken ct = default) => Webhooks.SendAsync(request, ct);

    /// <summary>Delivers Visma shipment notifications (see <see cref="VismaWebhookRequest"/>).</summary>
    public Task<VismaWebhookResult> SendVismaWebhooksAsync(VismaWebhookRequest request, CancellationToken ct = default) => VismaWebhooks.SendAsync(request, ct);

    /// <summary>Completes when the host shuts down (Ctrl+C for the standalone exe).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            _webhookHttp.Dispose();
            VismaWebhooks.Dispose();
        }
    }

    /// <summary>Counts calls per vendor/method/route template and runs the owning module's gate.</summary>
    private static Task RouteGateAsync(HttpContext ctx, RequestDelegate next, SandboxState state)
    {
        var path = ctx.Request.Path;
        var template = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? path.Value ?? "";
        foreach (var module in state.Modules)
        {
            foreach (var (prefix, statsName) in module.Prefixes)
            {
                if (path.StartsWithSegments(prefix))
                {
                    state.Stats.Call($"{statsName} {ctx.Request.Method} {Strip(template, prefix.Value!)}");
                    return module.GateAsync(ctx, prefix, () => next(ctx));
                }
            }
        }

        return next(ctx);
    }

    private static string Strip(string template, string prefix) =>
        template.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? template[prefix.Length..] : template;
}
