using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;

namespace Junipeer.Sandbox.Visma;

/// <summary>One operation of Visma's published OpenAPI documents (method + path template).</summary>
public sealed record VismaContractOperation(string Method, string Template, OpenApiOperation Operation)
{
    /// <summary>The <c>application/json</c> request body schema, or null when the operation takes no body.</summary>
    public IOpenApiSchema? RequestSchema =>
        Operation.RequestBody?.Content is { } c && c.TryGetValue("application/json", out var m) ? m.Schema : null;

    /// <summary>The <c>application/json</c> schema of the 200 response, or null when none is published.</summary>
    public IOpenApiSchema? ResponseSchema =>
        Operation.Responses is { } r && r.TryGetValue("200", out var ok) && ok.Content is { } c && c.TryGetValue("application/json", out var m) ? m.Schema : null;
}

/// <summary>
/// Visma.net ERP's published contract (the trimmed OpenAPI documents under <c>contracts/visma</c>,
/// embedded in this assembly) loaded with Microsoft.OpenApi, and a strict request validator that
/// walks the library's parsed schema model. Used by the emulator (strict mode) and the contract tests.
/// </summary>
public sealed class VismaContract
{
    private const string ResourcePrefix = "contracts/visma/";

    /// <summary>Query parameters whose value formats are listed in the published parameter descriptions.</summary>
    private static readonly string[] DateTimeFilterFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFF",
    ];

    /// <summary>The accepted values of the <c>...Condition</c> parameters (published descriptions).</summary>
    public static readonly IReadOnlyList<string> Conditions = [">", "<", ">=", "<="];

    private static readonly Lazy<VismaContract> Shared = new(Load);

    private readonly List<VismaContractOperation> _operations;

    private VismaContract(IReadOnlyList<(string Name, OpenApiDocument Document)> documents)
    {
        Documents = documents;
        _operations = [];
        foreach (var (_, doc) in documents)
        {
            foreach (var (template, item) in doc.Paths)
            {
                foreach (var (method, op) in item.Operations ?? [])
                {
                    _operations.Add(new VismaContractOperation(method.Method.ToUpperInvariant(), template, op));
                }
            }
        }
    }

    /// <summary>The contract loaded once per process (the documents are immutable).</summary>
    public static VismaContract Instance => Shared.Value;

    public IReadOnlyList<(string Name, OpenApiDocument Document)> Documents { get; }

    public IReadOnlyList<VismaContractOperation> Operations => _operations;

    /// <summary>Parses every embedded <c>contracts/visma/*.yml</c>; throws when a document has errors.</summary>
    public static VismaContract Load()
    {
        var assembly = typeof(VismaContract).Assembly;
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var docs = new List<(string, OpenApiDocument)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            buffer.Position = 0;
            var result = OpenApiDocument.Load(buffer, "yaml", settings);
            if (result.Document is null || result.Diagnostic?.Errors.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Contract document {name} could not be read: {string.Join("; ", result.Diagnostic?.Errors.Select(e => e.Message) ?? [])}");
            }

            docs.Add((name[ResourcePrefix.Length..], result.Document));
        }

        if (docs.Count == 0)
        {
            throw new InvalidOperationException("No Visma contract documents are embedded in " + assembly.GetName().Name + ".");
        }

        return new VismaContract(docs);
    }

    /// <summary>
    /// The operation for a method and a concrete path (e.g. <c>GET /v1/customer/10001</c>). Literal
    /// segments win over parameters. Segments compare case-insensitively: the documents do not say
    /// whether Visma's routing is case-sensitive (ASP.NET routing, which it appears to use, is not).
    /// </summary>
    public VismaContractOperation? Find(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        VismaContractOperation? best = null;
        var bestLiterals = -1;
        foreach (var op in _operations)
        {
            if (!string.Equals(op.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var parts = op.Template.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != segments.Length)
            {
                continue;
            }

            var literals = 0;
            var match = true;
            for (var i = 0; i < parts.Length && match; i++)
            {
                if (parts[i].StartsWith('{'))
                {
                    continue;
                }

                match = string.Equals(parts[i], Uri.UnescapeDataString(segments[i]), StringComparison.OrdinalIgnoreCase);
                literals++;
            }

            if (match && literals > bestLiterals)
            {
                best = op;
                bestLiterals = literals;
            }
        }

        return best;
    }

    /// <summary>The operation with exactly this method and template (for the contract tests).</summary>
    public VismaContractOperation Get(string method, string template) =>
        _operations.Single(o => o.Method == method && o.Template == template);

    /// <summary>
    /// Checks one request against the contract and returns the violations (empty when on-contract).
    /// <paramref name="query"/> holds the raw query pairs; <paramref name="body"/> the raw body text.
    /// </summary>
    public IReadOnlyList<string> Validate(string method, string path, IEnumerable<KeyValuePair<string, string?>> query, string? body)
    {
        var errors = new List<string>();
        var op = Find(method, path);
        if (op is null)
        {
            errors.Add($"Unknown operation {method} {path}: not in Visma's published contract (contracts/visma).");
            return errors;
        }

        ValidateQuery(op, query, errors);
        ValidateBody(op, body, errors);
        return errors;
    }

    private static void ValidateQuery(VismaContractOperation op, IEnumerable<KeyValuePair<string, string?>> query, List<string> errors)
    {
        var declared = (op.Operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Query).ToList();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in query)
        {
            // Parameter names compare case-insensitively: the documents are silent on case, and
            // ASP.NET Web API model binding (which Visma's API appears to use) ignores it.
            var p = declared.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
            if (p is null)
            {
                errors.Add($"Unknown query parameter '{name}' for {op.Method} {op.Template}.");
                continue;
            }

            seen.Add(p.Name!);
            if (CheckQueryValue(p.Name!, value ?? "", p.Schema) is { } problem)
            {
                errors.Add($"Query parameter '{p.Name}' of {op.Method} {op.Template}: {problem}");
            }
        }

        // "... and ...Condition are mutually inclusive" (published parameter descriptions).
        foreach (var p in declared.Where(d => d.Name!.EndsWith("Condition", StringComparison.Ordinal)))
        {
            var baseName = p.Name![..^"Condition".Length];
            if (declared.Any(d => d.Name == baseName) && seen.Contains(baseName) != seen.Contains(p.Name))
            {
                errors.Add($"Query parameters '{baseName}' and '{p.Name}' of {op.Method} {op.Template} must be sent together.");
            }
        }
    }

    private static string? CheckQueryValue(string name, string value, IOpenApiSchema? schema)
    {
        if (schema is null)
        {
            return null;
        }

        if (schema.Enum is { Count: > 0 } values)
        {
            // Enum values bind case-insensitively in ASP.NET Web API; the documents do not say. Accept any case.
            return values.Any(v => string.Equals(v?.GetValue<string>(), value, StringComparison.OrdinalIgnoreCase))
                ? null
                : $"'{value}' is not one of {string.Join(", ", values.Select(v => v?.GetValue<string>()))}.";
        }

        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.Integer))
        {
            return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : $"'{value}' is not an integer (int32).";
        }

        if (type.HasFlag(JsonSchemaType.Boolean))
        {
            return bool.TryParse(value, out _) ? null : $"'{value}' is not a boolean.";
        }

        if (string.Equals(schema.Format, "date-time", StringComparison.Ordinal))
        {
            return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? null : $"'{value}' is not a date-time.";
        }

        // lastModifiedDateTime / createdDateTime are plain strings whose accepted formats and
        // conditions are listed in the published descriptions (the schemas carry no format).
        // availabilityLastModifiedDateTime (inventory) has no published format: the same list is
        // assumed (docs silent).
        if (name is "lastModifiedDateTime" or "createdDateTime" or "availabilityLastModifiedDateTime")
        {
            return DateTime.TryParseExact(value, DateTimeFilterFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? null
                : $"'{value}' is not in an accepted format ({string.Join(", ", DateTimeFilterFormats)}).";
        }

        if (name.EndsWith("DateTimeCondition", StringComparison.Ordinal))
        {
            return Conditions.Contains(value, StringComparer.Ordinal) ? null : $"'{value}' is not one of {string.Join(" ", Conditions)}.";
        }

        return null;
    }

    private static void ValidateBody(VismaContractOperation op, string? body, List<string> errors)
    {
        var schema = op.RequestSchema;
        var empty = string.IsNullOrWhiteSpace(body);
        if (schema is null)
        {
            if (!empty)
            {
                errors.Add($"{op.Method} {op.Template} takes no request body, but one was sent.");
            }

            return;
        }

        if (empty)
        {
            if (op.Operation.RequestBody?.Required == true)
            {
                errors.Add($"{op.Method} {op.Template} requires a {NameOf(schema) ?? "JSON"} body.");
            }

            return;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body!);
        }
        catch (JsonException ex)
        {
            errors.Add($"The body of {op.Method} {op.Template} is not valid JSON: {ex.Message}");
            return;
        }

        ValidateNode(node, schema, NameOf(schema) ?? "body", "", errors);
    }

    /// <summary>Walks the parsed OpenApiSchema model: unknown fields, types, value-wrapping, enums.</summary>
    private static void ValidateNode(JsonNode? node, IOpenApiSchema schema, string owner, string field, List<string> errors)
    {
        // The documents never declare nullable; a JSON null is let through (Visma treats an
        // absent or null field as "unchanged" as far as the documents tell; they are silent).
        if (node is null)
        {
            return;
        }

        var type = schema.Type ?? 0;
        var properties = schema.Properties;
        var isObject = type.HasFlag(JsonSchemaType.Object) || properties is { Count: > 0 };
        var where = field.Length == 0 ? owner : $"'{field}' in {owner}";

        if (type == 0 && properties is not { Count: > 0 } && schema.Items is null && schema.Enum is not { Count: > 0 })
        {
            // A schema with no type and no properties (the "Trimmed" placeholder): not validated.
            return;
        }

        if (isObject)
        {
            if (node is not JsonObject obj)
            {
                var wrapper = properties is { Count: 1 } && properties.ContainsKey("value");
                errors.Add(wrapper
                    ? $"Field {where} must be value-wrapped as {{ \"value\": ... }}, got a bare {Kind(node)}."
                    : $"Field {where} must be an object, got {Kind(node)}.");
                return;
            }

            var name = NameOf(schema) ?? owner;
            foreach (var (key, child) in obj)
            {
                // Property names compare exactly: the documents are silent on case-insensitive binding.
                if (properties is null || !properties.TryGetValue(key, out var childSchema))
                {
                    errors.Add($"Unknown field '{key}' in {name}.");
                    continue;
                }

                ValidateNode(child, childSchema, name, key, errors);
            }

            foreach (var required in schema.Required ?? new HashSet<string>())
            {
                if (!obj.ContainsKey(required))
                {
                    errors.Add($"Missing required field '{required}' in {name}.");
                }
            }

            return;
        }

        if (type.HasFlag(JsonSchemaType.Array))
        {
            if (node is not JsonArray array)
            {
                errors.Add($"Field {where} must be an array, got {Kind(node)}.");
                return;
            }

            if (schema.Items is { } items)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    ValidateNode(array[i], items, owner, $"{field}[{i}]", errors);
                }
            }

            return;
        }

        if (node is not JsonValue value)
        {
            errors.Add($"Field {where} must be a {Describe(type)}, got {Kind(node)}.");
            return;
        }

        var kind = value.GetValueKind();
        var ok = kind switch
        {
            JsonValueKind.String => type.HasFlag(JsonSchemaType.String),
            JsonValueKind.Number => type.HasFlag(JsonSchemaType.Number) || (type.HasFlag(JsonSchemaType.Integer) && IsIntegral(value)),
            JsonValueKind.True or JsonValueKind.False => type.HasFlag(JsonSchemaType.Boolean),
            _ => false,
        };
        if (!ok)
        {
            errors.Add($"Field {where} must be a {Describe(type)}, got {Kind(node)}.");
            return;
        }

        // Body string formats (date-time, uuid) are not checked: the documents declare date-time
        // for dates but do not say whether a date-only value (yyyy-MM-dd) is accepted.
        if (schema.Enum is { Count: > 0 } values && kind == JsonValueKind.String)
        {
            var s = value.GetValue<string>();
            if (!values.Any(v => string.Equals(v?.GetValue<string>(), s, StringComparison.Ordinal)))
            {
                errors.Add($"Field {where}: '{s}' is not one of {string.Join(", ", values.Select(v => v?.GetValue<string>()))}.");
            }
        }
    }

    private static bool IsIntegral(JsonValue value) => value.TryGetValue<decimal>(out var d) && d == decimal.Truncate(d);

    private static string? NameOf(IOpenApiSchema schema) => schema is OpenApiSchemaReference r ? r.Reference.Id : null;

    private static string Kind(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "value",
        },
        _ => "value",
    };

    private static string Describe(JsonSchemaType type) =>
        string.Join(" or ", Enum.GetValues<JsonSchemaType>().Where(t => t != 0 && type.HasFlag(t)).Select(t => t.ToString().ToLowerInvariant()));
}
