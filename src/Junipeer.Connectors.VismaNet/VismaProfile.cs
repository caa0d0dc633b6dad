using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// What is Visma's own in the shared plumbing: its error codes, its three error body shapes (via
/// <see cref="VismaNetErrors"/>), and its documented <c>X-RateLimit-Remaining</c> / <c>X-RateLimit-Reset</c>
/// headers. Operations are passed as <see cref="VismaOperation"/> names.
/// </summary>
internal sealed class VismaProfile : VendorProfile
{
    public static readonly VismaProfile Instance = new();

    public override string Name => "Visma.net";

    public override string UnavailableCode => ErrorCodes.ErpUnavailable;

    public override (string Remaining, string ResetSeconds)? RateLimitHeaders => ("X-RateLimit-Remaining", "X-RateLimit-Reset");

    public override ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter) =>
        VismaNetErrors.FromStatus(Parse(operation), response.StatusCode, response.Body, retryAfter);

    public override ConnectorException Transport(string operation, FailureKind kind, Exception inner) =>
        new VismaNetApiException(ErrorCodes.ErpUnavailable, TransportMessage(VismaNetErrors.Describe(Parse(operation)), kind, inner), kind, null, inner);

    public override ConnectorException WindowUsedUp(string operation, TimeSpan wait) =>
        new VismaNetApiException(ErrorCodes.ErpRateLimited,
            $"The Visma.net rate-limit window is used up (X-RateLimit-Remaining 0) before {VismaNetErrors.Describe(Parse(operation))}; it resets in {FormatWait(wait)}.",
            FailureKind.RateLimited)
        { RetryAfter = wait };

    private static VismaOperation Parse(string operation) =>
        Enum.TryParse<VismaOperation>(operation, out var op) ? op : throw new ArgumentException($"Unknown Visma operation '{operation}'.", nameof(operation));
}
