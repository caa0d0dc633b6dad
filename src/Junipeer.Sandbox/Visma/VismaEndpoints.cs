using System.Globalization;
using System.Text;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Visma;

/// <summary>Visma Connect token endpoint and the Visma.net ERP API under <c>/visma</c>.</summary>
internal static class VismaEndpoints
{
    private const string TenantItem = "sandbox.visma.tenant";

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        var v = state.Visma;
        app.MapPost("/visma-connect/connect/token", ctx => TokenAsync(ctx, v));
        app.MapGet("/visma-connect/connect/authorize", ctx => AuthorizeAsync(ctx, v));

        app.MapGet("/visma/v1/customer", ctx => SendAsync(ctx, v.ListCustomers(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/customer/customerClass", ctx => SendAsync(ctx, v.ListCustomerClasses(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/customer/{customerCd}", ctx => SendAsync(ctx, v.GetCustomer(Tenant(ctx), Route(ctx, "customerCd"))));
        app.MapPut("/visma/v1/customer/{customerCd}", async ctx =>
            await SendAsync(ctx, v.UpdateCustomer(Tenant(ctx), Route(ctx, "customerCd"), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted),
                ctx.Request.Headers.IfMatch.ToString())));
        app.MapPost("/visma/v1/customer", async ctx =>
            await SendAsync(ctx, v.CreateCustomer(Tenant(ctx), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted))));

        app.MapGet("/visma/v1/inventory", ctx => SendAsync(ctx, v.ListInventory(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/inventory/{inventoryNumber}", ctx => SendAsync(ctx, v.GetInventory(Tenant(ctx), Route(ctx, "inventoryNumber"))));
        app.MapPost("/visma/v1/inventory", async ctx =>
            await SendAsync(ctx, v.CreateInventory(Tenant(ctx), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted))));
        app.MapPut("/visma/v1/inventory/{inventoryNumber}", async ctx =>
            await SendAsync(ctx, v.UpdateInventory(Tenant(ctx), Route(ctx, "inventoryNumber"), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted),
                ctx.Request.Headers.IfMatch.ToString())));

        app.MapGet("/visma/v1/vatZone", ctx => SendAsync(ctx, v.ListVatZones(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/vatCategory", ctx => SendAsync(ctx, v.ListVatCategories(Tenant(ctx))));
        app.MapGet("/visma/v1/vatCategory/{taxCategoryId}", ctx => SendAsync(ctx, v.GetVatCategory(Tenant(ctx), Route(ctx, "taxCategoryId"))));
        app.MapGet("/visma/v1/vat", ctx => SendAsync(ctx, v.ListTaxes(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/numberSequence", ctx => SendAsync(ctx, v.ListNumberSequences(Tenant(ctx))));
        app.MapGet("/visma/v1/numberSequence/{numberingId}", ctx => SendAsync(ctx, v.GetNumberSequence(Tenant(ctx), Route(ctx, "numberingId"))));
        app.MapGet("/visma/v1/warehouse", ctx => SendAsync(ctx, v.ListWarehouses(Tenant(ctx), ctx.Request.Query)));

        app.MapPost("/visma/v2/customerinvoice", CreateInvoiceAsync);
        app.MapPost("/visma/v1/customerinvoice", CreateInvoiceAsync);
        app.MapGet("/visma/v1/customerinvoice", ctx => SendAsync(ctx, v.ListInvoices(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/customerinvoice/{invoiceNumber}", ctx => SendAsync(ctx, v.GetInvoice(Tenant(ctx), Route(ctx, "invoiceNumber"))));
        app.MapPost("/visma/v1/customerinvoice/{invoiceNumber}/action/release", ctx =>
            SendAsync(ctx, v.ReleaseInvoice(Tenant(ctx), Route(ctx, "invoiceNumber"))));

        app.MapPost("/visma/v1/customerPayment", async ctx =>
            await SendAsync(ctx, v.CreatePayment(Tenant(ctx), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted))));
        app.MapGet("/visma/v1/customerPayment", ctx => SendAsync(ctx, v.ListPayments(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/customerPayment/{paymentNumber}", ctx => SendAsync(ctx, v.GetPayment(Tenant(ctx), Route(ctx, "paymentNumber"))));
        app.MapPost("/visma/v1/customerPayment/{paymentNumber}/action/release", async ctx =>
            await SendAsync(ctx, v.ReleasePayment(Tenant(ctx), Route(ctx, "paymentNumber"), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted))));

        app.MapPost("/visma/v1/customerCreditNote", CreateCreditNoteAsync);
        app.MapPost("/visma/v2/customerCreditNote", CreateCreditNoteAsync);
        app.MapGet("/visma/v1/customerCreditNote", ctx => SendAsync(ctx, v.ListCreditNotes(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/customerCreditNote/{creditNoteNumber}", ctx => SendAsync(ctx, v.GetCreditNote(Tenant(ctx), Route(ctx, "creditNoteNumber"))));
        app.MapPost("/visma/v1/customerCreditNote/{creditNoteNumber}/action/release", ctx =>
            SendAsync(ctx, v.ReleaseCreditNote(Tenant(ctx), Route(ctx, "creditNoteNumber"))));
        app.MapGet("/visma/v1/shipment", ctx => SendAsync(ctx, v.ListShipments(Tenant(ctx), ctx.Request.Query)));
        app.MapGet("/visma/v1/shipment/{shipmentNbr}", ctx => SendAsync(ctx, v.GetShipment(Tenant(ctx), Route(ctx, "shipmentNbr"))));
        app.MapPut("/visma/v1/shipment/{shipmentNbr}", async ctx =>
            await SendAsync(ctx, v.UpdateShipment(Tenant(ctx), Route(ctx, "shipmentNbr"), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted),
                ctx.Request.Headers.IfMatch.ToString())));

        async Task CreateCreditNoteAsync(HttpContext ctx) =>
            await SendAsync(ctx, v.CreateCreditNote(Tenant(ctx), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted)));

        async Task CreateInvoiceAsync(HttpContext ctx) =>
            await SendAsync(ctx, v.CreateInvoice(Tenant(ctx), await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted)));
    }

    /// <summary>Runs in front of every <c>/visma/...</c> ERP call: latency, auth, rate limit, faults.</summary>
    public static async Task GateAsync(HttpContext ctx, Func<Task> next, SandboxState state)
    {
        var faults = state.Faults;
        var visma = state.Visma;
        var latency = faults.VismaLatencyMs;
        if (latency > 0)
        {
            await Task.Delay(latency, ctx.RequestAborted);
        }

        var headers = ctx.Response.Headers;
        headers["X-RateLimit-Policy"] = "4-fixed-window";
        var token = Bearer(ctx.Request);
        var info = visma.ValidateToken(token);
        if (info is null)
        {
            headers["X-RateLimit-Limit"] = Inv(visma.RateLimit);
            headers["X-RateLimit-Remaining"] = Inv(visma.RateLimit);
            headers["X-RateLimit-Reset"] = Inv((int)visma.RateWindow.TotalSeconds);
            await Wire.WriteJsonAsync(ctx, 401, VismaState.Ipp(token is null
                ? "Authorization has been denied for this request: no bearer token."
                : "Authorization has been denied for this request: the token is invalid or expired."));
            return;
        }

        // A burst 429 (fault knob) is answered before the window is charged, like a gateway throttle.
        var burst = faults.TakeVisma429();
        var rate = visma.CountCall(info.TenantId, info.ClientId, consume: burst is null);
        headers["X-RateLimit-Limit"] = Inv(rate.Limit);
        headers["X-RateLimit-Remaining"] = Inv(rate.Remaining);
        headers["X-RateLimit-Reset"] = Inv(rate.ResetSeconds);
        if (burst is { } retryAfter)
        {
            await TooManyAsync(ctx, retryAfter);
            return;
        }

        if (!rate.Allowed)
        {
            await TooManyAsync(ctx, rate.ResetSeconds);
            return;
        }

        var needed = ctx.Request.Method switch
        {
            "GET" => "vismanet_erp_service_api:read",
            "PUT" or "PATCH" => "vismanet_erp_service_api:update",
            "DELETE" => "vismanet_erp_service_api:delete",
            _ => "vismanet_erp_service_api:create",
        };
        var interactive = needed.Replace("_service_api:", "_interactive_api:", StringComparison.Ordinal);
        var granted = info.Scope.Split(' ');
        if (!granted.Contains(needed, StringComparer.Ordinal) && !granted.Contains(interactive, StringComparer.Ordinal))
        {
            await Wire.WriteJsonAsync(ctx, 403, VismaState.Message($"The token does not grant the scope {needed}."));
            return;
        }

        if (!visma.HasModule(info.TenantId, VismaPath(ctx.Request)))
        {
            await Wire.WriteJsonAsync(ctx, 403, VismaState.Ipp($"No license for this company: module {VismaState.ModuleOf(VismaPath(ctx.Request))} is not available.", "12027"));
            return;
        }

        if (!await ContractGateAsync(ctx, state))
        {
            return;
        }

        if (faults.RollVisma5xx())
        {
            await Wire.WriteJsonAsync(ctx, 500, VismaState.Ipp("An error has occurred (sandbox fault injection).", "500"));
            return;
        }

        if (faults.TakeVismaGarbage() is { } garbage)
        {
            // A broken gateway or proxy: 200 with a body that is not the documented JSON; nothing commits.
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = garbage == GarbageKinds.Html ? "text/html" : "application/json";
            await ctx.Response.WriteAsync(SandboxFaults.GarbageBody(garbage), ctx.RequestAborted);
            return;
        }

        ctx.Items[TenantItem] = info.TenantId;
        if (!HttpMethods.IsGet(ctx.Request.Method) && faults.TakeCommitLate(VismaPath(ctx.Request)) is { } holdMs)
        {
            // Read the whole request now, then hold it past the client's timeout without watching for
            // its abort, commit, and drop the (unread) reply: the write lands after the caller gave up.
            ctx.Request.EnableBuffering();
            await ctx.Request.Body.CopyToAsync(Stream.Null, ctx.RequestAborted);
            ctx.Request.Body.Position = 0;
            ctx.RequestAborted = CancellationToken.None;
            await Task.Delay(holdMs, CancellationToken.None);
            await CommitThenDropAsync(ctx, next);
            return;
        }

        if (!HttpMethods.IsGet(ctx.Request.Method) && faults.RollCommitThenDrop(VismaPath(ctx.Request)))
        {
            // Commit the write, then drop the reply: nothing reaches the socket, the connection is reset.
            await CommitThenDropAsync(ctx, next);
            return;
        }

        await next();
    }

    /// <summary>Runs the handler (the write commits) into a sink, then resets the connection: the reply is lost.</summary>
    private static async Task CommitThenDropAsync(HttpContext ctx, Func<Task> next)
    {
        var original = ctx.Response.Body;
        await using var sink = new MemoryStream();
        ctx.Response.Body = sink;
        try
        {
            await next();
        }
        finally
        {
            ctx.Response.Body = original;
        }

        ctx.Abort();
    }

    /// <summary>
    /// Checks the request against Visma's published contract (<see cref="VismaContract"/>). Every
    /// violation is recorded; in strict mode the request is answered 400 in Visma's message shape.
    /// </summary>
    private static async Task<bool> ContractGateAsync(HttpContext ctx, SandboxState state)
    {
        var request = ctx.Request;
        request.EnableBuffering();
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        }

        request.Body.Position = 0;
        var path = VismaPath(request);
        var query = request.Query.SelectMany(kv => kv.Value.Select(v => KeyValuePair.Create(kv.Key, v)));
        var errors = VismaContract.Instance.Validate(request.Method, path, query, body);
        foreach (var error in errors)
        {
            state.Contract.Record("visma", request.Method, path, error);
        }

        if (errors.Count == 0 || !state.Options.StrictContracts)
        {
            return true;
        }

        await Wire.WriteJsonAsync(ctx, 400, VismaState.Message(string.Join(" ", errors)));
        return false;
    }

    private static async Task TooManyAsync(HttpContext ctx, int retryAfterSeconds)
    {
        ctx.Response.Headers.RetryAfter = Inv(retryAfterSeconds);
        await Wire.WriteJsonAsync(ctx, 429, new System.Text.Json.Nodes.JsonObject
        {
            ["statusCode"] = 429,
            ["message"] = $"Rate limit is exceeded. Try again in {Inv(retryAfterSeconds)} seconds.",
        });
    }

    private static async Task TokenAsync(HttpContext ctx, VismaState visma)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        if (!ctx.Request.HasFormContentType)
        {
            await Wire.WriteJsonAsync(ctx, 400, new System.Text.Json.Nodes.JsonObject { ["error"] = "invalid_request" });
            return;
        }

        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        string? clientId = form["client_id"];
        string? clientSecret = form["client_secret"];
        var auth = ctx.Request.Headers.Authorization.ToString();
        if (clientId is null && auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    clientId = Uri.UnescapeDataString(pair[..colon]);
                    clientSecret = Uri.UnescapeDataString(pair[(colon + 1)..]);
                }
            }
            catch (FormatException)
            {
                // not Basic credentials; fall through to invalid_client
            }
        }

        var (status, body) = form["grant_type"].ToString() switch
        {
            "authorization_code" => visma.ExchangeCode(clientId, clientSecret, form["code"], form["redirect_uri"], form["code_verifier"]),
            "refresh_token" => visma.Refresh(clientId, clientSecret, form["refresh_token"]),
            _ => visma.IssueToken(form["grant_type"], clientId, clientSecret, form["scope"], form["tenant_id"]),
        };
        await Wire.WriteJsonAsync(ctx, status, body);
    }

    /// <summary>GET /connect/authorize: validates, shows the company picker, or redirects back with code and state.</summary>
    private static async Task AuthorizeAsync(HttpContext ctx, VismaState visma)
    {
        var q = ctx.Request.Query;
        string? clientId = q["client_id"], redirectUri = q["redirect_uri"], state = q["state"], tenant = q["tenant_id"];
        var (status, error, code) = visma.Authorize(clientId, q["response_type"], redirectUri, q["scope"], q["code_challenge"], q["code_challenge_method"], tenant);
        if (error is not null)
        {
            await Wire.WriteJsonAsync(ctx, status, new System.Text.Json.Nodes.JsonObject { ["error"] = error });
            return;
        }

        if (code is not null)
        {
            var back = redirectUri + (redirectUri!.Contains('?', StringComparison.Ordinal) ? "&" : "?")
                       + $"code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state ?? "")}";
            ctx.Response.Redirect(back);
            return;
        }

        // The sign-in's company picker: one link per company this client is connected to.
        var html = new StringBuilder("<!doctype html><title>Visma Connect (Sandbox) - choose a company</title><h1>Choose a company</h1><ul>");
        foreach (var (tenantId, name) in visma.CompaniesOf(clientId!))
        {
            var link = $"{ctx.Request.Path}{ctx.Request.QueryString}&tenant_id={Uri.EscapeDataString(tenantId)}";
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<li><a data-tenant=\"{System.Net.WebUtility.HtmlEncode(tenantId)}\" href=\"{System.Net.WebUtility.HtmlEncode(link)}\">{System.Net.WebUtility.HtmlEncode(name)}</a></li>");
        }

        html.Append("</ul>");
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync(html.ToString(), ctx.RequestAborted);
    }

    private static async Task SendAsync(HttpContext ctx, ApiResult result)
    {
        if (result.ETag is not null)
        {
            ctx.Response.Headers.ETag = result.ETag;
        }

        if (result.LocationPath is not null)
        {
            var req = ctx.Request;
            ctx.Response.Headers.Location = $"{req.Scheme}://{req.Host}{req.PathBase}/visma{result.LocationPath}";
        }

        if (result.Body is null)
        {
            ctx.Response.StatusCode = result.Status;
            ctx.Response.ContentLength = 0;
            return;
        }

        await Wire.WriteJsonAsync(ctx, result.Status, result.Body);
    }

    private static string? Bearer(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && auth.Length > 7 ? auth[7..].Trim() : null;
    }

    /// <summary>The request path after <c>/visma</c>, e.g. <c>/v1/customerPayment</c>.</summary>
    private static string VismaPath(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        return path.StartsWith("/visma/", StringComparison.OrdinalIgnoreCase) ? path[6..] : path;
    }

    private static string Tenant(HttpContext ctx) => (string)ctx.Items[TenantItem]!;

    private static string Route(HttpContext ctx, string name) => Convert.ToString(ctx.Request.RouteValues[name], CultureInfo.InvariantCulture) ?? "";

    private static string Inv(int n) => n.ToString(CultureInfo.InvariantCulture);
}
