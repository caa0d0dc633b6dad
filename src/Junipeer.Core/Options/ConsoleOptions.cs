using System.ComponentModel.DataAnnotations;

namespace Junipeer.Core.Options;

/// <summary>
/// The operator console (section Junipeer:Console). In Azure, App Service Authentication (Entra ID)
/// signs operators in and <see cref="EasyAuth"/> says so; locally an admin secret does. With neither,
/// every console route answers 401 CONSOLE_AUTH_NOT_CONFIGURED.
/// </summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// True only when App Service Authentication runs in front of the app and rejects anonymous
    /// requests: then the X-MS-CLIENT-PRINCIPAL headers it sets are trusted. Never set it where the
    /// app can be reached without that front door (anyone could send the header).
    /// </summary>
    public bool EasyAuth { get; set; }

    /// <summary>Local sign-in secret (at least 16 characters; Key Vault reference or local settings). Empty: no secret sign-in.</summary>
    public string AdminSecret { get; set; } = "";

    /// <summary>How long a console sign-in lasts.</summary>
    [Range(5, 1440)]
    public int SessionMinutes { get; set; } = 480;
}
