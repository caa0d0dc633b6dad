namespace Junipeer.Core.Integrations;

/// <summary>
/// How an integration runs: <see cref="IntegrationMode.Live"/> books into the ERP;
/// <see cref="IntegrationMode.Shadow"/> reads, decides and validates against the live ERP with
/// read-only calls and records what it would book (Core/Shadow), writing nothing to ERP or shop.
/// </summary>
public sealed partial record Integration
{
    /// <summary>Live (default) or Shadow.</summary>
    public IntegrationMode Mode { get; init; } = IntegrationMode.Live;

    /// <summary>
    /// Live mode only: orders placed before this instant are not booked (skipped with the reason);
    /// from it on they book normally. Required when an integration switches from Shadow to Live.
    /// </summary>
    public DateTimeOffset? CutOverDate { get; init; }
}

public enum IntegrationMode
{
    Live,
    Shadow,
}
