using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.NShift;

/// <summary>
/// nShift Delivery REST API emulator under <c>/nshift/rs-extapi/v1</c> (contract: contracts/nshift).
/// <c>POST /shipments</c> validates the body against the published schema (JsonSchema.Net), then the
/// service's rules (known service, receiver postal code) → 422 status list, else books and answers
/// 201 with the shipment info array. <c>GET /shipments</c> takes the documented <c>fetchId</c> and the
/// search parameters of the stored-shipment search (<c>searchField/searchOp/searchValue</c>) — the
/// latter on printed shipments is our ASSUMPTION (contracts/nshift/SOURCE.md).
/// </summary>
internal static partial class NShiftEndpoints
{
    public const string Prefix = "/nshift/rs-extapi/v1";

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("contracts/nshift/shipment-print.schema.json")
                           ?? throw new InvalidOperationException("The nShift schema is not embedded.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    private static readonly string[] SearchFields = ["orderNo", "reference", "shipmentNo"];
    private static readonly string[] SearchOps = ["equals", "contains", "startsWith", "endsWith"];

    [GeneratedRegex(@"^\d{3} ?\d{2}$")]
    private static partial Regex SwedishZip();

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        app.MapPost(Prefix + "/shipments", ctx => CreateAsync(ctx, state));
        app.MapGet(Prefix + "/shipments", ctx => ListAsync(ctx, state));
    }

    /// <summary>Auth (Bearer ID-Secret or Basic) in front of every call.</summary>
    public static async Task GateAsync(HttpContext ctx, Func<Task> next, SandboxState state)
    {
        var n = state.NShift;
        var auth = ctx.Request.Headers.Authorization.ToString();
        var ok = false;
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            ok = string.Equals(auth[7..].Trim(), n.KeyId + "-" + n.KeySecret, StringComparison.Ordinal);
        }
        else if (auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                ok = string.Equals(Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim())), n.KeyId + ":" + n.KeySecret, StringComparison.Ordinal);
            }
            catch (FormatException)
            {
                ok = false;
            }
        }

        if (!ok)
        {
            // The RAML documents 401 "Invalid or expired token" without a body shape.
            ctx.Response.StatusCode = 401;
            return;
        }

        await next();
    }

    private static async Task CreateAsync(HttpContext ctx, SandboxState state)
    {
        var n = state.NShift;
        foreach (var (key, _) in ctx.Request.Query)
        {
            if (key is not ("returnFile" or "inlinePdf"))
            {
                if (await ViolationAsync(ctx, state, $"Unknown query parameter '{key}' for POST /shipments."))
                    return;
            }
        }

        string text;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
            text = await reader.ReadToEndAsync(ctx.RequestAborted);
        JsonNode? body;
        try
        {
            body = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            await ViolationAsync(ctx, state, "The body is not JSON: " + ex.Message, force: true);
            return;
        }

        if (body is not JsonObject root)
        {
            // Documented: 400 {code: MISSING, message: "Missing shipment print request body"}.
            await Wire.WriteJsonAsync(ctx, 400, new JsonObject { ["code"] = "MISSING", ["message"] = "Missing shipment print request body" });
            return;
        }

        var result = Schema.Value.Evaluate(JsonDocument.Parse(text).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var problems = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Distinct().Take(10).ToList();
            if (await ViolationAsync(ctx, state, "Body does not match the published shipment schema: " + string.Join("; ", problems)))
                return;
        }

        if (n.Take429())
        {
            ctx.Response.Headers.RetryAfter = "2";
            await Wire.WriteJsonAsync(ctx, 429, new JsonObject { ["code"] = "RATE_LIMIT", ["message"] = "Too many requests (sandbox fault injection)" });
            return;
        }

        if (n.Take5xx())
        {
            await Wire.WriteJsonAsync(ctx, 500, new JsonObject { ["code"] = "INTERNAL", ["message"] = "Internal error" });
            return;
        }

        var shipment = (JsonObject)root["shipment"]!;
        var statuses = Rules(n, shipment);
        if (statuses.Count > 0)
        {
            await Wire.WriteJsonAsync(ctx, 422, new JsonArray([.. statuses]));
            return;
        }

        var booking = n.Book(shipment);
        if (n.TakeDrop())
        {
            // Booked, then the answer is lost: the connection is reset.
            ctx.Abort();
            return;
        }

        await Wire.WriteJsonAsync(ctx, 201, new JsonArray(NShiftState.Info(booking, ApiBase(ctx))));
    }

    /// <summary>The service's own checks (what nShift validates beyond the schema; messages as in the published 422 example).</summary>
    private static List<JsonNode> Rules(NShiftState n, JsonObject shipment)
    {
        var list = new List<JsonNode>();
        var service = (string?)shipment["service"]?["id"];
        if (service is null || !n.Services.Contains(service))
        {
            list.Add(Status($"Service {service} is not available for this account", "Service", "Service_Id", "Service"));
        }

        var receiver = shipment["receiver"] as JsonObject;
        var zip = (string?)receiver?["zipcode"];
        var country = (string?)receiver?["country"];
        if (string.IsNullOrWhiteSpace(zip) || (country == "SE" && !SwedishZip().IsMatch(zip)))
        {
            list.Add(Status("Not valid postal code", "ZipCode", "Address_Zipcode", ""));
        }

        if ((shipment["parcels"] as JsonArray)?.Count is null or 0)
        {
            list.Add(Status("At least one parcel is needed", "ParcelGroup", "ParcelGroup_Copies", "ParcelGroup"));
        }

        return list;
    }

    private static JsonObject Status(string message, string code, string field, string location) => new()
    {
        ["message"] = message,
        ["messageCode"] = code,
        ["field"] = field,
        ["location"] = location,
        ["type"] = "error",
    };

    private static async Task ListAsync(HttpContext ctx, SandboxState state)
    {
        var q = ctx.Request.Query;
        foreach (var (key, _) in q)
        {
            if (key is not ("fetchId" or "searchField" or "searchOp" or "searchValue"))
            {
                if (await ViolationAsync(ctx, state, $"Unknown query parameter '{key}' for GET /shipments."))
                    return;
            }
        }

        if (q.ContainsKey("searchField") || q.ContainsKey("searchValue"))
        {
            string field = q["searchField"].ToString(), op = q["searchOp"].ToString(), value = q["searchValue"].ToString();
            if (!SearchFields.Contains(field, StringComparer.Ordinal) || (op.Length > 0 && !SearchOps.Contains(op, StringComparer.Ordinal)))
            {
                // Documented for the stored-shipment search: 400 {code: ILLEGAL, message: "Illegal search field argument"}.
                await Wire.WriteJsonAsync(ctx, 400, new JsonObject { ["code"] = "ILLEGAL", ["message"] = "Illegal search field argument" });
                return;
            }

            var found = state.NShift.Search(field, op.Length == 0 ? "equals" : op, value);
            await Wire.WriteJsonAsync(ctx, 200, new JsonArray([.. found.Take(50).Select(b => (JsonNode)NShiftState.Info(b, ApiBase(ctx)))]));
            return;
        }

        if (!q.ContainsKey("fetchId"))
        {
            await Wire.WriteJsonAsync(ctx, 400, new JsonObject { ["code"] = "MISSING", ["message"] = "Missing fetch id argument" });
            return;
        }

        // TrackBack feed: the emulator returns every printed shipment once per fetchId chain start.
        var all = state.NShift.Bookings;
        await Wire.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["fetchId"] = all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["minDelay"] = 100,
            ["done"] = true,
            ["shipments"] = new JsonArray([.. all.Skip(int.TryParse(q["fetchId"], out var f) && f > 0 ? f : 0).Select(b => (JsonNode)NShiftState.Info(b, ApiBase(ctx)))]),
        });
    }

    /// <summary>Records an off-contract request; in strict mode answers 400 in nShift's error shape and returns true.</summary>
    private static async Task<bool> ViolationAsync(HttpContext ctx, SandboxState state, string message, bool force = false)
    {
        state.Contract.Record("nshift", ctx.Request.Method, ctx.Request.Path.Value ?? "", message);
        if (!state.Options.StrictContracts && !force)
            return false;
        await Wire.WriteJsonAsync(ctx, 400, new JsonObject { ["code"] = "ILLEGAL", ["message"] = message });
        return true;
    }

    private static Uri ApiBase(HttpContext ctx) => new($"{ctx.Request.Scheme}://{ctx.Request.Host}{Prefix}/");
}
