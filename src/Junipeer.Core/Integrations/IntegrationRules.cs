using System.Net;
using Junipeer.Core.Errors;

namespace Junipeer.Core.Integrations;

/// <summary>
/// Deployment-wide rules the integration validator applies. <see cref="AllowLoopbackHttp"/> is the
/// development switch (<c>Junipeer__Development__AllowLoopbackHttp</c>, off by default) that lets
/// vendor URLs point at http(s)://127.0.0.1 / localhost, where the Sandbox emulators run.
/// </summary>
public sealed record IntegrationRules
{
    /// <summary>Configuration key of the development switch (app setting Junipeer__Development__AllowLoopbackHttp).</summary>
    public const string AllowLoopbackHttpKey = "Junipeer:Development:AllowLoopbackHttp";

    public static IntegrationRules Default { get; } = new();

    public bool AllowLoopbackHttp { get; init; }

    /// <summary>Configuration keys of the deployment's Visma test-environment URLs (used by integrations with Erp.VismaNet.Environment Test).</summary>
    public const string VismaTestApiBaseUrlKey = "Junipeer:VismaNet:TestApiBaseUrl";
    public const string VismaTestTokenUrlKey = "Junipeer:VismaNet:TestTokenUrl";
    public const string VismaTestAuthorizeUrlKey = "Junipeer:VismaNet:TestAuthorizeUrl";

    /// <summary>
    /// The deployment's Visma test-environment URLs (blank: not configured). An integration saved with
    /// Environment Test that uses them has them checked like its own URL overrides: https on a Visma host.
    /// </summary>
    public string? VismaTestApiBaseUrl { get; init; }
    public string? VismaTestTokenUrl { get; init; }
    public string? VismaTestAuthorizeUrl { get; init; }

    /// <summary>Reads the switch from the configuration value at <see cref="AllowLoopbackHttpKey"/>.</summary>
    public static IntegrationRules FromSetting(string? allowLoopbackHttp) =>
        new() { AllowLoopbackHttp = bool.TryParse(allowLoopbackHttp, out var on) && on };

    /// <summary>The rules from configuration values by key (the development switch and the Visma test-environment URLs).</summary>
    public static IntegrationRules FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        static string? Blank(string? v) => string.IsNullOrWhiteSpace(v) ? null : v;
        return FromSetting(setting(AllowLoopbackHttpKey)) with
        {
            VismaTestApiBaseUrl = Blank(setting(VismaTestApiBaseUrlKey)),
            VismaTestTokenUrl = Blank(setting(VismaTestTokenUrlKey)),
            VismaTestAuthorizeUrl = Blank(setting(VismaTestAuthorizeUrlKey)),
        };
    }
}

/// <summary>The hosts each vendor URL may point at (https only).</summary>
public sealed record VendorHosts(string Vendor, IReadOnlyList<string> Exact, IReadOnlyList<string> Suffixes)
{
    /// <summary>Visma.net ERP API (reference: visma-net-api.md §0; the old integration.visma.net host is being shut down).</summary>
    public static VendorHosts VismaApi { get; } = new("Visma.net API", ["api.finance.visma.net"], []);

    /// <summary>Visma Connect (token endpoint https://connect.visma.com/connect/token).</summary>
    public static VendorHosts VismaConnect { get; } = new("Visma Connect", ["connect.visma.com"], []);

    /// <summary>
    /// Centra tenant hosts: &lt;tenant&gt;.centra.com (production) and &lt;tenant&gt;.centraqa.com (QA).
    /// Centra's docs show the QA pattern; the production one is by analogy (reference marks it VERIFY).
    /// </summary>
    public static VendorHosts Centra { get; } = new("Centra", [], [".centra.com", ".centraqa.com"]);

    /// <summary>nShift Delivery (Unifaun) REST API: https://api.unifaun.com/rs-extapi/v1 (centra-psp-fortnox-vat.md §5).</summary>
    public static VendorHosts NShift { get; } = new("nShift Delivery", ["api.unifaun.com"], []);

    /// <summary>Stripe API (docs.stripe.com/api: every request goes to https://api.stripe.com).</summary>
    public static VendorHosts Stripe { get; } = new("Stripe", ["api.stripe.com"], []);

    /// <summary>
    /// Adyen report downloads: the Customer Area hosts, live and test (centra-psp-fortnox-vat.md §2.1 names
    /// ca-live.adyen.com; ca-test.adyen.com is Adyen's test Customer Area).
    /// </summary>
    public static VendorHosts Adyen { get; } = new("Adyen reports", ["ca-live.adyen.com", "ca-test.adyen.com"], []);

    /// <summary>
    /// Klarna Settlements API: api.klarna.com (centra-psp-fortnox-vat.md §2.2) and Klarna's regional and playground
    /// hosts (api-na, api-oc, and the same under playground.klarna.com). The reference marks the regional names
    /// unchecked; they are the hosts Klarna's API reference lists per region.
    /// </summary>
    public static VendorHosts Klarna { get; } = new("Klarna", ["api.klarna.com", "api-na.klarna.com", "api-oc.klarna.com", "api.playground.klarna.com", "api-na.playground.klarna.com", "api-oc.playground.klarna.com"], []);

    /// <summary>The API hosts of a PSP by its key in <c>payouts.providers</c>; null for an unknown key.</summary>
    public static VendorHosts? ForPsp(string psp) => psp switch
    {
        "stripe" => Stripe,
        "adyen" => Adyen,
        "klarna" => Klarna,
        _ => null,
    };

    public bool Allows(string host) =>
        Exact.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase))
        || Suffixes.Any(s => host.Length > s.Length && host.EndsWith(s, StringComparison.OrdinalIgnoreCase) && !host[..^s.Length].Contains('.', StringComparison.Ordinal));

    public string Describe() => string.Join(", ", Exact.Concat(Suffixes.Select(s => "<tenant>" + s)));
}

/// <summary>Collects validation problems with their error code.</summary>
internal sealed class ScopedProblems(string integrationId, IntegrationRules rules)
{
    public List<string> Generic { get; } = [];

    private readonly List<(string Code, string Text)> _specific = [];

    public List<(string Code, string Text)> All() =>
        [.. Generic.Select(g => (ErrorCodes.IntegrationSettingsInvalid, g)), .. _specific];

    public void Secret(string path, string? name)
    {
        if (!IntegrationValidator.IsValidSecretName(name))
        {
            Generic.Add($"{path} '{name}' must be letters and digits only (it becomes app setting Secrets__<name> and a Key Vault secret name).");
            return;
        }

        var scope = IntegrationValidator.SecretScope(integrationId);
        if (!IntegrationValidator.IsInScope(name!, scope))
        {
            _specific.Add((ErrorCodes.IntegrationSecretNotScoped,
                $"{path} '{name}' must start with '{scope}' (the integration id's letters and digits) followed by a purpose, e.g. '{scope}CentraToken'."));
        }
    }

    public void Url(string path, string? value, bool optional, VendorHosts hosts)
    {
        if (optional && value is null)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttps && u.Scheme != Uri.UriSchemeHttp))
        {
            Generic.Add($"{path} must be an absolute https URL.");
            return;
        }

        if (rules.AllowLoopbackHttp && IsLoopback(u) && u.UserInfo.Length == 0)
        {
            return;
        }

        if (u.Scheme != Uri.UriSchemeHttps || u.UserInfo.Length > 0 || u.HostNameType != UriHostNameType.Dns || !hosts.Allows(u.IdnHost))
        {
            _specific.Add((ErrorCodes.IntegrationUrlNotAllowed,
                $"{path} '{u.GetLeftPart(UriPartial.Authority)}' is not allowed: use https on a {hosts.Vendor} host ({hosts.Describe()})"
                + (rules.AllowLoopbackHttp ? "." : "; loopback URLs need the development switch Junipeer__Development__AllowLoopbackHttp.")));
        }
    }

    private static bool IsLoopback(Uri u) =>
        string.Equals(u.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
