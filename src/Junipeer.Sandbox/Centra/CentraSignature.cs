using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Junipeer.Sandbox.Centra;

/// <summary>Centra webhook signature: <c>X-Centra-Signature: t=&lt;unix&gt;,v1=&lt;hex hmac-sha256(secret, "{t}.{body}")&gt;</c>.</summary>
public static class CentraSignature
{
    public const string HeaderName = "X-Centra-Signature";

    /// <summary>Lowercase hex HMAC-SHA256 over <c>"{t}.{body}"</c> keyed with the endpoint secret.</summary>
    public static string Sign(string secret, long t, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var data = Encoding.UTF8.GetBytes(t.ToString(CultureInfo.InvariantCulture) + "." + body);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    /// <summary>The full header value, <c>t=...,v1=...</c>.</summary>
    public static string Header(string secret, long t, string body) =>
        "t=" + t.ToString(CultureInfo.InvariantCulture) + ",v1=" + Sign(secret, t, body);

    /// <summary>Verifies a header value against the raw body (constant-time compare; no replay window).</summary>
    public static bool Verify(string secret, string header, string body)
    {
        ArgumentNullException.ThrowIfNull(header);
        long? t = null;
        string? v1 = null;
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2)
            {
                continue;
            }

            if (kv[0].Trim() == "t" && long.TryParse(kv[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var tv))
            {
                t = tv;
            }
            else if (kv[0].Trim() == "v1")
            {
                v1 = kv[1].Trim();
            }
        }

        if (t is null || v1 is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, t.Value, body)), Encoding.ASCII.GetBytes(v1));
    }
}
