using System.Security.Cryptography;
using System.Text;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Verifies the Visma Webhook Dispatcher's signature: header <c>x-vwd-signature-v1</c> =
/// Base64(HMAC-SHA256(key = UTF-8 bytes of the subscription secret, message = the raw UTF-8 body)).
/// Source: visma-net-api.md §2.14 (Business NXT webhook docs and Visma's example, Youforce docs on the
/// same dispatcher). ASSUMPTIONS where the docs are uncertain: that ERP publishers (Visma Net
/// Financial) sign exactly like Business NXT (same dispatcher, very likely; marked VERIFY); that the
/// header carries the bare Base64 value (no "sha256=" prefix; none is documented). The signature has
/// no timestamp, so there is no replay window to check: a replayed notification only asks us to look
/// at a shipment again, which the idempotent handler makes harmless. Compared in constant time,
/// current or previous secret (rotation).
/// </summary>
public static class VismaWebhookVerifier
{
    public const string HeaderName = "x-vwd-signature-v1";

    /// <summary>A Base64 HMAC-SHA256 is 44 characters; anything else cannot match.</summary>
    public static bool HasSignatureShape(string? header) =>
        header is { Length: 44 } && Convert.TryFromBase64String(header, new byte[32], out var n) && n == 32;

    public static string Sign(string secret, string rawBody) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(rawBody)));

    /// <summary>True when the signature matches the current or the previous secret (constant-time compare of the raw bytes).</summary>
    public static bool Verify(string? header, string rawBody, string currentSecret, string? previousSecret)
    {
        var given = new byte[32];
        var shaped = header is not null && Convert.TryFromBase64String(header, given, out var n) && n == 32;

        // Both secrets are always computed and compared, so timing does not tell which one matched.
        var current = HMACSHA256.HashData(Encoding.UTF8.GetBytes(currentSecret), Encoding.UTF8.GetBytes(rawBody));
        var previous = HMACSHA256.HashData(Encoding.UTF8.GetBytes(previousSecret ?? currentSecret + "\0no-previous"), Encoding.UTF8.GetBytes(rawBody));
        var okCurrent = CryptographicOperations.FixedTimeEquals(given, current);
        var okPrevious = previousSecret is not null & CryptographicOperations.FixedTimeEquals(given, previous);
        return shaped & (okCurrent | okPrevious);
    }
}
