using System.Globalization;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;

namespace Junipeer.Sandbox.Klarna;

/// <summary>
/// Klarna's published Settlements API contract (contracts/klarna/klarna-settlements-openapi.yml, embedded)
/// loaded with Microsoft.OpenApi, and a strict request check: the operation must exist, every query
/// parameter must be declared for it, integers where the schema says integer (within <c>maximum</c>, not
/// negative), <c>date-time</c> parameters in ISO 8601, path parameters not empty.
/// </summary>
public sealed class KlarnaContract
{
    private const string Resource = "contracts/klarna/klarna-settlements-openapi.yml";
    private static readonly Lazy<KlarnaContract> Shared = new(Load);

    private readonly List<(string Method, string Template, OpenApiOperation Operation)> _operations = [];

    private KlarnaContract(OpenApiDocument document)
    {
        Document = document;
        foreach (var (template, item) in document.Paths)
        {
            foreach (var (method, op) in item.Operations ?? [])
                _operations.Add((method.Method.ToUpperInvariant(), template, op));
        }
    }

    public static KlarnaContract Instance => Shared.Value;

    public OpenApiDocument Document { get; }

    public static KlarnaContract Load()
    {
        using var stream = typeof(KlarnaContract).Assembly.GetManifestResourceStream(Resource)
                           ?? throw new InvalidOperationException("The Klarna contract is not embedded.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var result = OpenApiDocument.Load(buffer, "yaml", settings);
        if (result.Document is null || result.Diagnostic?.Errors.Count > 0)
            throw new InvalidOperationException($"The Klarna contract could not be read: {string.Join("; ", result.Diagnostic?.Errors.Select(e => e.Message) ?? [])}");
        return new KlarnaContract(result.Document);
    }

    /// <summary>The template a request matches (literal segments preferred: <c>/payouts/summary</c> is not a payment reference).</summary>
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

    /// <summary>The violations of one request (empty when on-contract).</summary>
    public IReadOnlyList<string> Validate(string method, string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var given = query.ToList();
        var errors = new List<string>();
        var template = Find(method, path);
        if (template is null)
        {
            errors.Add($"{method} {path} is not an operation of Klarna's Settlements API contract (contracts/klarna).");
            return errors;
        }

        var op = _operations.Single(o => string.Equals(o.Method, method, StringComparison.OrdinalIgnoreCase) && o.Template == template).Operation;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var parts = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].StartsWith('{') && string.IsNullOrWhiteSpace(Uri.UnescapeDataString(segments[i])))
                errors.Add($"Path parameter {parts[i].Trim('{', '}')} is empty.");
        }

        var declared = (op.Parameters ?? []).Where(p => p.In == ParameterLocation.Query).ToList();
        foreach (var group in given.GroupBy(q => q.Key, StringComparer.Ordinal))
        {
            var p = declared.FirstOrDefault(d => string.Equals(d.Name, group.Key, StringComparison.Ordinal));
            if (p is null)
            {
                errors.Add($"Query parameter '{group.Key}' is not declared for {method} {template} (declared: {string.Join(", ", declared.Select(d => d.Name))}).");
                continue;
            }

            if (group.Count() > 1)
                errors.Add($"Query parameter '{group.Key}' is given {group.Count()} times.");
            if (CheckValue(p, group.First().Value ?? "") is { } problem)
                errors.Add($"Invalid {group.Key}: {problem}");
        }

        foreach (var required in (op.Parameters ?? []).Where(p => p.In == ParameterLocation.Query && p.Required))
        {
            if (!given.Any(q => q.Key == required.Name))
                errors.Add($"Query parameter '{required.Name}' is required for {method} {template}.");
        }

        return errors;
    }

    private static string? CheckValue(IOpenApiParameter p, string value)
    {
        var schema = p.Schema;
        if (schema is null)
            return null;
        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.Integer))
        {
            if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                return $"'{value}' is not an integer.";
            if (n < 0)
                return $"{n} is negative.";
            if (decimal.TryParse(Convert.ToString(schema.Maximum, CultureInfo.InvariantCulture), NumberStyles.Number, CultureInfo.InvariantCulture, out var max) && n > max)
                return $"{n} is above the maximum of {max}.";
            return null;
        }

        if (string.Equals(schema.Format, "date-time", StringComparison.Ordinal))
        {
            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
                ? null
                : $"'{value}' is not an ISO 8601 date-time (e.g. 2020-01-23T00:00:00Z).";
        }

        return null;
    }
}
