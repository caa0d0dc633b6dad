using System.Globalization;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;

namespace Junipeer.Sandbox.Stripe;

/// <summary>
/// Stripe's published contract for the payout reads (contracts/stripe/stripe-payouts-openapi.yml,
/// embedded) loaded with Microsoft.OpenApi, and a strict request check: the operation must exist,
/// every query parameter must be declared (Stripe itself answers an unknown parameter with 400
/// <c>parameter_unknown</c>), bracketed keys only for <c>deepObject</c> parameters (<c>expand[]</c>,
/// <c>created[gte]</c>), integers where the schema says integer, range keys from
/// <c>range_query_specs</c>, path parameters within their <c>maxLength</c>, and <c>limit</c> within 1..100 (Stripe's API reference; the schema carries no bounds).
/// </summary>
public sealed class StripeContract
{
    private const string Resource = "contracts/stripe/stripe-payouts-openapi.yml";
    private static readonly Lazy<StripeContract> Shared = new(Load);

    private readonly List<(string Method, string Template, OpenApiOperation Operation)> _operations = [];

    private StripeContract(OpenApiDocument document)
    {
        Document = document;
        foreach (var (template, item) in document.Paths)
        {
            foreach (var (method, op) in item.Operations ?? [])
                _operations.Add((method.Method.ToUpperInvariant(), template, op));
        }
    }

    public static StripeContract Instance => Shared.Value;

    public OpenApiDocument Document { get; }

    public IReadOnlyList<(string Method, string Template, OpenApiOperation Operation)> Operations => _operations;

    public static StripeContract Load()
    {
        using var stream = typeof(StripeContract).Assembly.GetManifestResourceStream(Resource)
                           ?? throw new InvalidOperationException("The Stripe contract is not embedded.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var result = OpenApiDocument.Load(buffer, "yaml", settings);
        if (result.Document is null || result.Diagnostic?.Errors.Count > 0)
            throw new InvalidOperationException($"The Stripe contract could not be read: {string.Join("; ", result.Diagnostic?.Errors.Select(e => e.Message) ?? [])}");
        return new StripeContract(result.Document);
    }

    /// <summary>The template an operation matches (e.g. <c>/v1/payouts/{payout}</c>), literal segments first.</summary>
    public string? Find(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string? best = null;
        var bestLiterals = -1;
        foreach (var (m, template, _) in _operations)
        {
            if (!string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                continue;
            var parts = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != segments.Length)
                continue;
            var literals = 0;
            var match = true;
            for (var i = 0; i < parts.Length && match; i++)
            {
                if (parts[i].StartsWith('{'))
                    continue;
                match = string.Equals(parts[i], segments[i], StringComparison.Ordinal);
                literals++;
            }

            if (match && literals > bestLiterals)
            {
                best = template;
                bestLiterals = literals;
            }
        }

        return best;
    }

    /// <summary>The violations of one request (empty when on-contract); each names the parameter (for Stripe's <c>param</c>).</summary>
    public IReadOnlyList<(string? Param, string Message)> Validate(string method, string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var errors = new List<(string?, string)>();
        var template = Find(method, path);
        if (template is null)
        {
            errors.Add((null, $"Unrecognized request URL ({method} {path}): not in Stripe's published contract (contracts/stripe)."));
            return errors;
        }

        var op = _operations.Single(o => string.Equals(o.Method, method, StringComparison.OrdinalIgnoreCase) && o.Template == template).Operation;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var parts = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            if (!parts[i].StartsWith('{'))
                continue;
            var name = parts[i].Trim('{', '}');
            var value = Uri.UnescapeDataString(segments[i]);
            if ((op.Parameters ?? []).FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == name)?.Schema?.MaxLength is { } max && value.Length > max)
                errors.Add((name, $"Invalid {name}: longer than {max} characters."));
        }

        var declared = (op.Parameters ?? []).Where(p => p.In == ParameterLocation.Query).ToList();
        foreach (var (key, value) in query)
        {
            var bracket = key.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? key : key[..bracket];
            var sub = bracket < 0 ? null : key[(bracket + 1)..].TrimEnd(']');
            var p = declared.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
            if (p is null)
            {
                errors.Add((key, $"Received unknown parameter: {key} (not declared for {method} {template})."));
                continue;
            }

            if (sub is not null && p.Style != ParameterStyle.DeepObject)
            {
                errors.Add((key, $"Invalid parameter {key}: '{name}' is not an object or array parameter."));
                continue;
            }

            if (CheckValue(p, sub, value ?? "") is { } problem)
                errors.Add((key, $"Invalid {key}: {problem}"));
        }

        return errors;
    }

    private static string? CheckValue(IOpenApiParameter p, string? sub, string value)
    {
        var schema = p.Schema;
        if (schema is null)
            return null;
        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.Array))
            return sub is "" ? null : $"an array parameter takes '{p.Name}[]' keys.";

        var range = schema.AnyOf?.FirstOrDefault(s => s.Properties is { Count: > 0 });
        if (sub is not null)
        {
            if (range?.Properties is null || !range.Properties.ContainsKey(sub))
                return $"'{sub}' is not one of {string.Join(", ", range?.Properties?.Keys ?? [])}.";
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : $"'{value}' is not an integer (unix time).";
        }

        var integer = type.HasFlag(JsonSchemaType.Integer) || schema.AnyOf?.Any(s => (s.Type ?? 0).HasFlag(JsonSchemaType.Integer)) == true;
        if (range is not null && !integer)
            return "must be given as an object (e.g. created[gte]=…).";
        if (integer)
        {
            if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                return $"'{value}' is not an integer.";
            if (p.Name == "limit" && n is < 1 or > 100)
                return $"limit must be between 1 and 100 (was {n}).";
        }

        return null;
    }
}
