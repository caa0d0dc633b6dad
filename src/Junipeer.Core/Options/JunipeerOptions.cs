using System.ComponentModel.DataAnnotations;

namespace Junipeer.Core.Options;

/// <summary>
/// Deployment-wide settings, section "Junipeer" (app settings Junipeer__X__Y in Azure). Validated at
/// start-up. Every property is documented in docs/configuration.md and declared in infra/ (a test
/// compares the two).
/// </summary>
public sealed class JunipeerOptions
{
    public const string Section = "Junipeer";

    /// <summary>Base64 of a 32-byte key that encrypts cached tokens at rest (Key Vault in Azure).</summary>
    [Required]
    public string TokenEncryptionKey { get; set; } = "";

    [Required]
    public VismaNetOptions VismaNet { get; set; } = new();

    [Required]
    public CentraOptions Centra { get; set; } = new();

    [Required]
    public OrderSyncOptions Orders { get; set; } = new();

    [Required]
    public WebhookOptions Webhooks { get; set; } = new();

    [Required]
    public DevelopmentOptions Development { get; set; } = new();

    [Required]
    public ConnectOptions Connect { get; set; } = new();

    [Required]
    public ConsoleOptions Console { get; set; } = new();

    [Required]
    public PayoutOptions Payouts { get; set; } = new();
}

/// <summary>Interactive connections (OAuth callback).</summary>
public sealed class ConnectOptions
{
    /// <summary>Public origin of the app (https://app.example.com) used in the OAuth redirect URI; empty: the request's own origin.</summary>
    public string? PublicBaseUrl { get; set; }
}

public sealed class VismaNetOptions
{
    [Required, Url]
    public string ApiBaseUrl { get; set; } = "https://api.finance.visma.net";

    [Required, Url]
    public string TokenUrl { get; set; } = "https://connect.visma.com/connect/token";

    /// <summary>Visma Connect authorize endpoint (interactive connections).</summary>
    [Required, Url]
    public string AuthorizeUrl { get; set; } = "https://connect.visma.com/connect/authorize";

    /// <summary>API base URL of integrations with Erp.VismaNet.Environment Test (empty: not configured).</summary>
    public string? TestApiBaseUrl { get; set; }

    /// <summary>Visma Connect token URL for Environment Test (empty: TokenUrl).</summary>
    public string? TestTokenUrl { get; set; }

    /// <summary>Visma Connect authorize URL for Environment Test (empty: AuthorizeUrl).</summary>
    public string? TestAuthorizeUrl { get; set; }

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Refresh the cached access token this long before it expires.</summary>
    [Range(0, 3600)]
    public int TokenRefreshSkewSeconds { get; set; } = 300;

    /// <summary>How long VAT categories are cached per integration.</summary>
    [Range(0, 86400)]
    public int VatCategoryCacheSeconds { get; set; } = 3600;
}

public sealed class CentraOptions
{
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    [Range(1, 200)]
    public int PageSize { get; set; } = 50;
}

public sealed class OrderSyncOptions
{
    /// <summary>Lease on an order's ledger row while one worker syncs it.</summary>
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 300;

    /// <summary>Retry-After waits up to this long happen in-process; longer ones re-enqueue with a delay.</summary>
    [Range(0, 120)]
    public int MaxInProcessWaitSeconds { get; set; } = 10;

    /// <summary>Requeues for rate limits before the item counts as failed.</summary>
    [Range(1, 1000)]
    public int MaxRequeues { get; set; } = 50;

    /// <summary>At most one ERP delta read per interval keeps the index of recent invoices current.</summary>
    [Range(1, 3600)]
    public int DocumentIndexRefreshSeconds { get; set; } = 15;

    /// <summary>How far back the index of recent invoices reaches; older orders are looked up in the ERP directly.</summary>
    [Range(1, 400)]
    public int DocumentIndexWindowDays { get; set; } = 35;

    /// <summary>An order the shop cannot return yet (webhook before the order is readable) is retried with backoff this long.</summary>
    [Range(0, 1440)]
    public int OrderNotFoundRetryMinutes { get; set; } = 30;
}

public sealed class WebhookOptions
{
    /// <summary>Accepted difference between a webhook's signed timestamp and now.</summary>
    [Range(1, 3600)]
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>How long integration settings are served from memory (webhooks and order sync); 0 = no cache. A save on the same instance invalidates at once.</summary>
    [Range(0, 300)]
    public int IntegrationCacheSeconds { get; set; } = 30;
}

/// <summary>Development and test switches; all off in a deployment.</summary>
public sealed class DevelopmentOptions
{
    /// <summary>
    /// Lets integration URLs point at http(s)://127.0.0.1 / localhost (the Sandbox). Off by default;
    /// never turn it on in Azure. Read by <c>junipeer integration add</c> and the app at the key
    /// <c>Junipeer:Development:AllowLoopbackHttp</c>.
    /// </summary>
    public bool AllowLoopbackHttp { get; set; }
}
