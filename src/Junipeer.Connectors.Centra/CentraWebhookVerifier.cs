using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Junipeer.Core.Errors;

namespace Junipeer.Connectors.Centra;

public enum WebhookVerificationStatus
{
    Valid,
    Missing,
    Invalid,
    Stale,
}

/// <summary>Outcome of a signature check; <see cref="ErrorCode"/> is null when valid.</summary>
public sealed record WebhookVerificationResult(WebhookVerificationStatus Status, string? ErrorCode, string Reason)
{
    public bool IsValid => Status == WebhookVerificationStatus.Valid;

    internal static WebhookVerificationResult Valid(string reason) => new(WebhookVerificationStatus.Valid, null, reason);
    internal static WebhookVerificationResult Missing(string reason) => new(WebhookVerificationStatus.Missing, ErrorCodes.WebhookSignatureMissing, reason);
    internal static WebhookVerificationResult Invalid(string reason) => new(WebhookVerificationStatus.Invalid, ErrorCodes.WebhookSignatureInvalid, reason);
    internal static WebhookVerificationResult Stale(string reason) => new(WebhookVerificationStatus.Stale, ErrorCodes.WebhookTimestampOutOfTolerance, reason);
}

/// <summary>
/// Verifies Centra's <c>X-Centra-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;</c>: HMAC-SHA256 with the endpoint
/// secret over "{t}.{raw body}", compared in constant time against every v1, with the current or
/// the previous secret (rotation), and |now − t| within the tolerance. Reasons never contain secrets.
/// </summary>
public sealed class CentraWebhookVerifier(TimeProvider time)
{
    public const string HeaderName = "X-Centra-Signature";
    public const int DefaultToleranceSeconds = 300;

    /// <summary>
    /// True when the header has a t= and a v1= part: checkable without any secret, so it can be
    /// answered before the integration is looked up (the answer is the same for every integration).
    /// </summary>
    public static bool HasSignatureShape(string? signatureHeader)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
            return false;
        bool t = false, v1 = false;
        foreach (var part in signatureHeader.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                continue;
            var key = part[..eq].Trim();
            var hasValue = part[(eq + 1)..].Trim().Length > 0;
            t |= key == "t" && hasValue;
            v1 |= key == "v1" && hasValue;
        }

        return t && v1;
    }

    public WebhookVerificationResult Verify(string? signatureHeader, string rawBody, string secret, string? previousSecret = null, int toleranceSeconds = DefaultToleranceSeconds)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
            return WebhookVerificationResult.Missing($"No {HeaderName} header.");

        string? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in signatureHeader.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                continue;
            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key == "t" && timestamp is null)
                timestamp = value;
            else if (key == "v1" && value.Length > 0)
                signatures.Add(value);
        }

        if (string.IsNullOrEmpty(timestamp) || signatures.Count == 0)
            return WebhookVerificationResult.Missing($"The {HeaderName} header lacks t= or v1=.");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds))
            return WebhookVerificationResult.Invalid("The signature timestamp is not a Unix time.");

        var body = rawBody ?? "";
        var matched = false;
        foreach (var candidate in new[] { secret, previousSecret })
        {
            if (string.IsNullOrEmpty(candidate))
                continue;
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
            foreach (var signature in signatures)
            {
                byte[] given;
                try
                {
                    given = Convert.FromHexString(signature);
                }
                catch (FormatException)
                {
                    continue;
                }

                if (CryptographicOperations.FixedTimeEquals(given, expected))
                    matched = true;
            }
        }

        if (!matched)
            return WebhookVerificationResult.Invalid("The signature matches neither the current nor the previous secret.");

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - unixSeconds) > toleranceSeconds)
            return WebhookVerificationResult.Stale($"The signed timestamp is {now - unixSeconds} s from now (tolerance {toleranceSeconds} s).");
        return WebhookVerificationResult.Valid("Signature valid.");
    }
}
