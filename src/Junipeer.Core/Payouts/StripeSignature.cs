using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Junipeer.Core.Errors;

namespace Junipeer.Core.Payouts;

/// <summary>
/// Stripe's webhook signature scheme (<c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=…][,v0=…]</c>):
/// HMAC-SHA256 over <c>"{t}.{raw body}"</c> keyed with the endpoint secret (the whole <c>whsec_…</c>
/// string as UTF-8), compared in constant time with every <c>v1</c> value (several appear while a
/// secret is rolled); <c>v0</c> and unknown schemes are ignored; the timestamp must be within the
/// tolerance (300 s, as Stripe's libraries default to). Lives in Core until the Stripe connector
/// project exists.
/// </summary>
public static class StripeSignature
{
    public const string Header = "Stripe-Signature";
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    /// <summary>The v1 signature of <paramref name="payload"/> at <paramref name="timestamp"/> (lower-case hex).</summary>
    public static string Sign(string secret, long timestamp, string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + payload)));

    /// <summary>Throws <see cref="ErrorCodes.PayoutWebhookSignatureInvalid"/> unless one of <paramref name="secrets"/> signed the body within the tolerance.</summary>
    public static void Verify(string? header, string payload, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrWhiteSpace(header))
            throw Invalid("the Stripe-Signature header is missing");
        long? timestamp = null;
        var v1 = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                continue;
            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                timestamp = t;
            else if (key == "v1" && value.Length == 64 && value.All(Uri.IsHexDigit))
                v1.Add(Convert.FromHexString(value));
        }

        if (timestamp is null)
            throw Invalid("the header has no timestamp");
        if (v1.Count == 0)
            throw Invalid("the header has no v1 signature");
        var age = now - DateTimeOffset.FromUnixTimeSeconds(timestamp.Value);
        if (age.Duration() > (tolerance ?? DefaultTolerance))
            throw Invalid($"the timestamp is {Math.Round(age.TotalSeconds)} s from now, outside the tolerance");
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            var expected = Convert.FromHexString(Sign(secret, timestamp.Value, payload));
            if (v1.Any(candidate => CryptographicOperations.FixedTimeEquals(candidate, expected)))
                return;
        }

        throw Invalid("no v1 signature matches the configured secret");
    }

    private static JunipeerException Invalid(string why) =>
        new(ErrorCodes.PayoutWebhookSignatureInvalid, $"Stripe webhook rejected: {why}.");
}
