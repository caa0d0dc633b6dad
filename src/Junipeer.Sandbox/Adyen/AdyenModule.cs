using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Adyen;

/// <summary>
/// Adyen (<c>/adyen</c>, stands for <c>https://ca-live.adyen.com</c>): the settlement details report download
/// <c>GET /adyen/reports/download/MerchantAccount/{merchant}/{file}</c>, strict per contracts/adyen:
/// HTTP Basic auth of the report user (else 401), the documented file name
/// <c>settlement_detail_report_batch_&lt;n&gt;.csv</c> (anything else is a contract violation, 400 in strict
/// mode), an unknown batch 404. Control plane: seed batches, list downloads, send REPORT_AVAILABLE, faults.
/// </summary>
internal sealed partial class AdyenModule(SandboxState state) : ISandboxModule
{
    public const string DownloadPrefix = "/adyen/reports/download/MerchantAccount";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [GeneratedRegex(@"^settlement_detail_report_batch_([0-9]{1,18})\.csv$")]
    private static partial Regex ReportName();

    public string Vendor => "adyen";

    public IReadOnlyList<(PathString Prefix, string StatsName)> Prefixes { get; } = [(new PathString("/adyen"), "adyen")];

    public void MapRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet(DownloadPrefix + "/{merchant}/{file}", DownloadAsync);
        app.MapMethods(DownloadPrefix + "/{merchant}/{file}", ["POST", "PUT", "DELETE", "PATCH"], async ctx =>
        {
            var message = $"{ctx.Request.Method} is not a documented operation of the report download (GET only).";
            state.Contract.Record(Vendor, ctx.Request.Method, ctx.Request.Path.Value ?? "", message);
            await Error(ctx, 405, "905", message);
        });
    }

    private async Task DownloadAsync(HttpContext ctx)
    {
        var a = state.Adyen;
        var merchant = (string)ctx.Request.RouteValues["merchant"]!;
        var file = (string)ctx.Request.RouteValues["file"]!;
        var m = ReportName().Match(file);
        if (!m.Success)
        {
            var message = $"'{file}' is not a settlement details report name (documented: settlement_detail_report_batch_<n>.csv).";
            state.Contract.Record(Vendor, "GET", ctx.Request.Path.Value ?? "", message);
            a.Record(new AdyenDownload(merchant, file, state.Options.StrictContracts ? 400 : 404, state.Clock.GetUtcNow()));
            await Error(ctx, state.Options.StrictContracts ? 400 : 404, "000", message);
            return;
        }

        if (a.TakeFault())
        {
            a.Record(new AdyenDownload(merchant, file, 500, state.Clock.GetUtcNow()));
            await Error(ctx, 500, "905", "Internal error (injected fault).");
            return;
        }

        if (a.Refuses(merchant))
        {
            a.Record(new AdyenDownload(merchant, file, 403, state.Clock.GetUtcNow()));
            await Error(ctx, 403, "010", "Not allowed (injected: the report user has no access to this merchant account).");
            return;
        }

        var batch = a.Find(merchant, long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        if (batch is null)
        {
            // A batch not closed yet (or never): Adyen's docs say when reports are generated but are silent on
            // what the download answers for a report that does not exist; 404 is what public crawlers of this URL
            // expect (e.g. Yoast's singer-tap-adyen stops its batch walk on 404), so the emulator answers 404. The
            // body shape is not documented for this URL either: the emulator uses Adyen's API error shape.
            a.Record(new AdyenDownload(merchant, file, 404, state.Clock.GetUtcNow()));
            await Error(ctx, 404, "000", "Report not found.");
            return;
        }

        a.Record(new AdyenDownload(merchant, file, 200, state.Clock.GetUtcNow()));
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/csv; charset=utf-8";
        ctx.Response.Headers.ContentDisposition = $"attachment; filename={batch.FileName}";
        await ctx.Response.WriteAsync(batch.Csv, Encoding.UTF8, ctx.RequestAborted);
    }

    public void MapControl(IEndpointRouteBuilder app)
    {
        app.MapPost("/_sandbox/adyen/batches", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            var merchant = Wire.Str(body, "merchantAccount");
            if (string.IsNullOrWhiteSpace(merchant))
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = "merchantAccount is required" });
                return;
            }

            var spec = new AdyenBatchSpec
            {
                MerchantAccount = merchant,
                Currency = Wire.Str(body, "currency") ?? "SEK",
                Sales = [.. (Wire.Arr(body, "sales") ?? []).OfType<JsonObject>().Select(s => new AdyenSaleSpec(Wire.Str(s, "reference") ?? "", Wire.Dec(s, "gross") ?? 0m, Wire.Dec(s, "fee") ?? 0m))],
                Refunds = [.. (Wire.Arr(body, "refunds") ?? []).OfType<JsonObject>().Select(s => new AdyenRefundSpec(Wire.Str(s, "reference") ?? "", Wire.Dec(s, "amount") ?? 0m))],
                Fees = [.. (Wire.Arr(body, "fees") ?? []).Select(Wire.AsDecimal).OfType<decimal>()],
                ShuffleColumns = Wire.Bool(body, "shuffleColumns") ?? false,
                BatchNumber = Wire.Long(body, "batchNumber"),
            };
            AdyenBatch b;
            try
            {
                b = state.Adyen.SeedBatch(spec);
            }
            catch (ArgumentException ex)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = ex.Message });
                return;
            }

            await Wire.WriteObjectAsync(ctx, 201, new { merchantAccount = b.MerchantAccount, batchNumber = b.BatchNumber, fileName = b.FileName, currency = b.Currency, total = b.Total, rows = b.Rows });
        });
        app.MapGet("/_sandbox/adyen/downloads", ctx => Wire.WriteObjectAsync(ctx, 200, new { downloads = state.Adyen.Downloads }));
        app.MapPost("/_sandbox/adyen/notifications", async ctx =>
        {
            // {url, merchantAccount, batchNumber, hmacKey?}: sends REPORT_AVAILABLE for the batch as Adyen would.
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            var url = Wire.Str(body, "url");
            var merchant = Wire.Str(body, "merchantAccount");
            var batch = Wire.Long(body, "batchNumber");
            if (url is null || merchant is null || batch is null || !Uri.TryCreate(url, UriKind.Absolute, out var target))
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = "url, merchantAccount and batchNumber are required" });
                return;
            }

            var reportUrl = $"{ctx.Request.Scheme}://{ctx.Request.Host}{DownloadPrefix}/{merchant}/{AdyenState.FileName(batch.Value)}";
            var (status, answer) = await state.Adyen.NotifyAsync(Http, target, merchant, batch.Value, reportUrl, Wire.Str(body, "hmacKey"), ctx.RequestAborted);
            await Wire.WriteObjectAsync(ctx, 200, new { status, body = answer });
        });
        app.MapPut("/_sandbox/adyen/faults", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            state.Adyen.Fail5xx = (int)(Wire.Long(body, "fail5xx") ?? state.Adyen.Fail5xx);
            await Wire.WriteObjectAsync(ctx, 200, new { fail5xx = state.Adyen.Fail5xx });
        });
    }

    /// <summary>Basic auth of the report user in front of every download (Adyen answers 401 without it).</summary>
    public async Task GateAsync(HttpContext context, PathString prefix, Func<Task> next)
    {
        var a = state.Adyen;
        var auth = context.Request.Headers.Authorization.ToString();
        var ok = false;
        if (auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                ok = string.Equals(Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim())), a.ReportUser + ":" + a.ReportPassword, StringComparison.Ordinal);
            }
            catch (FormatException)
            {
                ok = false;
            }
        }

        if (!ok)
        {
            a.Record(new AdyenDownload("", context.Request.Path.Value ?? "", 401, state.Clock.GetUtcNow()));
            await Error(context, 401, "000", "HTTP Status Response - Unauthorized");
            return;
        }

        await next();
    }

    public void Reset() => state.Adyen.Reset();

    /// <summary>Adyen's error shape {status, errorCode, message, errorType}.</summary>
    private static Task Error(HttpContext ctx, int status, string code, string message) =>
        Wire.WriteObjectAsync(ctx, status, new { status, errorCode = code, message, errorType = status is 401 or 403 ? "security" : status >= 500 ? "internal" : "validation" });
}
