using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Junipeer.Connectors.Payments.Adyen;

/// <summary>
/// Adyen's HMAC scheme for standard notifications (contracts/adyen/SOURCE.md): the signing string is
/// <c>pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success</c>
/// (absent values empty, no escaping, <c>success</c> lowercase), the key is the HMAC key hex-decoded,
/// HMAC-SHA256, Base64 in <c>additionalData.hmacSignature</c>. Verified against the vectors of Adyen's
/// .NET library tests.
/// </summary>
public static class AdyenHmac
{
    public static string SigningString(AdyenNotificationItem item) => string.Join(":",
        item.PspReference ?? "",
        item.OriginalReference ?? "",
        item.MerchantAccountCode ?? "",
        item.MerchantReference ?? "",
        item.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        item.Currency ?? "",
        item.EventCode ?? "",
        (item.Success ?? "").ToLowerInvariant());

    /// <summary>Base64 HMAC-SHA256 of <paramref name="payload"/> with the hex key; null when the key is not hex.</summary>
    public static string? Sign(string payload, string hexKey)
    {
        var key = Key(hexKey);
        return key is null ? null : Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload)));
    }

    /// <summary>True when the item's hmacSignature was made with one of the keys (constant-time compare).</summary>
    public static bool Verify(AdyenNotificationItem item, params string?[] hexKeys)
    {
        if (string.IsNullOrEmpty(item.HmacSignature))
            return false;
        byte[] given;
        try
        {
            given = Convert.FromBase64String(item.HmacSignature);
        }
        catch (FormatException)
        {
            return false;
        }

        var data = Encoding.UTF8.GetBytes(SigningString(item));
        var ok = false;
        foreach (var hex in hexKeys)
        {
            var key = hex is null ? null : Key(hex);
            if (key is null)
                continue;
            ok |= CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, data), given);
        }

        return ok;
    }

    /// <summary>The key bytes (an odd-length key gets a trailing 0 nibble, as Adyen's libraries pack it); null when not hex.</summary>
    private static byte[]? Key(string hex)
    {
        hex = hex.Trim();
        if (hex.Length == 0)
            return null;
        if (hex.Length % 2 == 1)
            hex += "0";
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
