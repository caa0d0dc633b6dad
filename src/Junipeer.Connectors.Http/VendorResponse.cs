namespace Junipeer.Connectors.Http;

/// <summary>A vendor's answer, read fully (status, body, headers), before any mapping.</summary>
public sealed class VendorResponse
{
    private readonly IReadOnlyList<(string Name, string Value)> _headers;

    public VendorResponse(int statusCode, string body, IReadOnlyList<(string Name, string Value)> headers)
    {
        StatusCode = statusCode;
        Body = body;
        _headers = headers;
    }

    public int StatusCode { get; }

    public string Body { get; }

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>The first value of a header (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (n, v) in _headers)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
                return v;
        }

        return null;
    }

    /// <summary>A header parsed as an integer, or null.</summary>
    public int? HeaderInt(string name) =>
        int.TryParse(Header(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
}
