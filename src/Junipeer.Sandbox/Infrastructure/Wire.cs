using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Infrastructure;

/// <summary>Helpers for reading loosely typed JSON bodies and writing JSON responses.</summary>
internal static class Wire
{
    public static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = true };

    public static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Reads the request body as a JSON object; null when empty or not an object.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text, NodeOptions) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Strips a Visma <c>{"value": x}</c> wrapper when present; bare values pass through.</summary>
    public static JsonNode? Unwrap(JsonNode? node) =>
        node is JsonObject o && o.TryGetPropertyValue("value", out var inner) ? inner : node;

    public static JsonNode? Get(JsonObject? o, string name) =>
        o is not null && o.TryGetPropertyValue(name, out var v) ? v : null;

    public static bool Has(JsonObject? o, string name) => o is not null && o.ContainsKey(name);

    public static string? Str(JsonObject? o, string name) => AsString(Unwrap(Get(o, name)));

    public static string? AsString(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    public static decimal? Dec(JsonObject? o, string name) => AsDecimal(Unwrap(Get(o, name)));

    public static decimal? AsDecimal(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.Number => v.GetValue<decimal>(),
            JsonValueKind.String when decimal.TryParse(v.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }

    public static long? Long(JsonObject? o, string name) => AsLong(Unwrap(Get(o, name)));

    public static long? AsLong(JsonNode? node)
    {
        var d = AsDecimal(node);
        return d is null ? null : (long)d.Value;
    }

    public static bool? Bool(JsonObject? o, string name)
    {
        if (Unwrap(Get(o, name)) is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetValue<string>(), out var b) => b,
            _ => null,
        };
    }

    public static JsonObject? Obj(JsonObject? o, string name) => Unwrap(Get(o, name)) as JsonObject;

    public static JsonArray? Arr(JsonObject? o, string name) => Unwrap(Get(o, name)) as JsonArray;

    public static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode? body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(body?.ToJsonString(SerializerOptions) ?? "null", ctx.RequestAborted);
    }

    public static Task WriteObjectAsync<T>(HttpContext ctx, int status, T body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(body, SerializerOptions), ctx.RequestAborted);
    }

    public static string Iso(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string IsoDate(DateOnly d) =>
        d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00";

    public static string Inv(long n) => n.ToString(CultureInfo.InvariantCulture);

    public static string Inv(decimal n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Cent rounding used everywhere in the sandbox (half away from zero).</summary>
internal static class Money
{
    public static decimal R2(decimal x) => Math.Round(x, 2, MidpointRounding.AwayFromZero);
}
