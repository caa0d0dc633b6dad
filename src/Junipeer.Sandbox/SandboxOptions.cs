namespace Junipeer.Sandbox;

/// <summary>Start-up settings of the sandbox. All vendor emulators share one port.</summary>
public sealed class SandboxOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>Clock for token expiry, rate-limit windows, timestamps and webhook <c>t=</c>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Visma Connect <c>expires_in</c> in seconds.</summary>
    public int TokenExpiresInSeconds { get; set; } = 3600;

    /// <summary>Visma calls allowed per (tenant, client) fixed window.</summary>
    public int VismaRateLimit { get; set; } = 15000;

    /// <summary>Length of the Visma fixed rate-limit window.</summary>
    public TimeSpan VismaRateWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Bearer token the Centra emulator accepts.</summary>
    public string CentraToken { get; set; } = "centra-sandbox-token";

    /// <summary>Centra requests allowed per window (request-count bucket).</summary>
    public int CentraRateLimit { get; set; } = 10000;

    /// <summary>Length of the Centra request-count window.</summary>
    public TimeSpan CentraRateWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The nShift API key the emulator accepts (ID part; Bearer "ID-Secret" or Basic).</summary>
    public string NShiftKeyId { get; set; } = "SANDBOXNSHIFTID1";

    /// <summary>The nShift API key's secret part.</summary>
    public string NShiftKeySecret { get; set; } = "sandbox-nshift-secret-24c";

    /// <summary>The Stripe secret key the emulator accepts (<c>Authorization: Bearer sk_…</c>).</summary>
    public string StripeSecretKey { get; set; } = "sk_test_sandbox_51Junipeer";

    /// <summary>The Stripe webhook endpoint secret the emulator signs events with (<c>whsec_…</c>).</summary>
    public string StripeWebhookSecret { get; set; } = "whsec_sandbox_junipeer";

    /// <summary>Seed of the fault-injection random generator.</summary>
    public int Seed { get; set; } = 12345;

    /// <summary>
    /// Strict contract mode: every request is validated against the vendor's published contract
    /// (OpenAPI documents, Centra SDL) and an off-contract request is rejected with 400 naming the
    /// violation. Violations are recorded in either mode. The tests and the demo run strict.
    /// </summary>
    public bool StrictContracts { get; set; } = true;

    /// <summary>Write ASP.NET Core logs to the console (off by default: tests stay quiet).</summary>
    public bool EnableConsoleLogging { get; set; }
}
