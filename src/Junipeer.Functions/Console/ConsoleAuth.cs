using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Junipeer.Core.Errors;
using Junipeer.Core.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Junipeer.Functions.Console;

/// <summary>Who is calling the console, and the anti-forgery token that goes with their session (null for bearer callers).</summary>
public sealed record ConsoleCaller(string Name, string Mode, string? CsrfToken);

/// <summary>
/// Console sign-in. Azure: App Service Authentication (Entra ID) in front of the app; its
/// X-MS-CLIENT-PRINCIPAL headers are trusted only when <see cref="ConsoleOptions.EasyAuth"/> says it runs.
/// Locally: the admin secret, exchanged at sign-in for a signed, expiring session cookie (HttpOnly,
/// SameSite=Strict) or sent as a bearer token by scripts. Cookie sessions (and Easy Auth's, which is a
/// cookie too) must send <see cref="CsrfHeader"/> with every POST.
/// </summary>
public sealed class ConsoleAuth(IOptions<JunipeerOptions> options, TimeProvider time)
{
    public const string CookieName = "junipeer_console";
    public const string CookiePath = "/api/console";
    public const string CsrfHeader = "X-Junipeer-Csrf";
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const string PrincipalNameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";
    public const string PrincipalIdHeader = "X-MS-CLIENT-PRINCIPAL-ID";

    private ConsoleOptions Settings => options.Value.Console;

    public bool SecretSignInEnabled => !Settings.EasyAuth && Settings.AdminSecret.Length >= 16;

    /// <summary>The caller, or the code and message of a 401.</summary>
    public (ConsoleCaller? Caller, string Code, string Message) Authenticate(HttpRequest request)
    {
        if (Settings.EasyAuth)
        {
            var principal = request.Headers[PrincipalHeader].ToString();
            var id = request.Headers[PrincipalIdHeader].ToString();
            if (principal.Length == 0 || id.Length == 0 || !IsPrincipal(principal))
            {
                return (null, ErrorCodes.ConsoleUnauthorized, "Not signed in: App Service Authentication passed no principal.");
            }

            var name = request.Headers[PrincipalNameHeader].ToString();
            return (new ConsoleCaller(name.Length > 0 ? name : id, "easyauth", Csrf("principal|" + id)), "", "");
        }

        if (Settings.AdminSecret.Length < 16)
        {
            return (null, ErrorCodes.ConsoleAuthNotConfigured,
                "The console has no sign-in configured: set Junipeer__Console__AdminSecret (locally) or Junipeer__Console__EasyAuth behind App Service Authentication.");
        }

        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return SecretMatches(auth["Bearer ".Length..].Trim())
                ? (new ConsoleCaller("admin (bearer)", "bearer", null), "", "")
                : (null, ErrorCodes.ConsoleUnauthorized, "The bearer token is not the console's admin secret.");
        }

        var cookie = request.Cookies[CookieName];
        if (cookie is not null && SessionValid(cookie))
        {
            return (new ConsoleCaller("admin", "session", Csrf("session|" + cookie)), "", "");
        }

        return (null, ErrorCodes.ConsoleUnauthorized, cookie is null ? "Not signed in." : "The console session expired or is not valid: sign in again.");
    }

    /// <summary>True when a state-changing request carries the session's token (bearer callers have no ambient credentials and need none).</summary>
    public static bool CsrfValid(HttpRequest request, ConsoleCaller caller) =>
        caller.CsrfToken is null
        || CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Headers[CsrfHeader].ToString()), Encoding.UTF8.GetBytes(caller.CsrfToken));

    public bool SecretMatches(string candidate) =>
        Settings.AdminSecret.Length >= 16
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), SHA256.HashData(Encoding.UTF8.GetBytes(Settings.AdminSecret)));

    /// <summary>A new session value: expiry (unix seconds), random nonce, HMAC of both under a key derived from the admin secret.</summary>
    public string NewSession()
    {
        var expires = time.GetUtcNow().AddMinutes(Settings.SessionMinutes).ToUnixTimeSeconds();
        var body = $"{expires}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        return $"{body}.{Mac("session|" + body)}";
    }

    public CookieOptions CookieOptions(HttpRequest request, bool expire = false) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = CookiePath,
        Expires = expire ? DateTimeOffset.UnixEpoch : time.GetUtcNow().AddMinutes(Settings.SessionMinutes),
    };

    private bool SessionValid(string value)
    {
        var parts = value.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var expires))
        {
            return false;
        }

        var expected = Mac($"session|{parts[0]}.{parts[1]}");
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[2]), Encoding.ASCII.GetBytes(expected))
               && expires > time.GetUtcNow().ToUnixTimeSeconds();
    }

    private string Csrf(string binding) => Mac("csrf|" + binding);

    /// <summary>HMAC-SHA256 under a key derived from the admin secret, or (Easy Auth without one) the token encryption key.</summary>
    private string Mac(string data)
    {
        var root = Settings.AdminSecret.Length > 0 ? Settings.AdminSecret : options.Value.TokenEncryptionKey;
        var key = SHA256.HashData(Encoding.UTF8.GetBytes("junipeer-console|" + root));
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static bool IsPrincipal(string base64)
    {
        try
        {
            using var doc = JsonDocument.Parse(Convert.FromBase64String(base64));
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }
}
