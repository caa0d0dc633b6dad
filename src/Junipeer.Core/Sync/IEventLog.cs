namespace Junipeer.Core.Sync;

public enum EventSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>Something an operator can see: what happened to which entity, with code and correlation id.</summary>
public sealed record OperatorEvent
{
    public required string IntegrationId { get; init; }
    public required string Flow { get; init; }
    public required string EntityKey { get; init; }
    public required EventSeverity Severity { get; init; }
    public required string Message { get; init; }
    public string? ErrorCode { get; init; }
    public string? Fix { get; init; }
    public string? CorrelationId { get; init; }
    public DateTimeOffset At { get; init; }
}

/// <summary>Port: the operator-visible event log (Events table, newest first).</summary>
public interface IEventLog
{
    Task AppendAsync(OperatorEvent operatorEvent, CancellationToken cancellationToken);
    Task<IReadOnlyList<OperatorEvent>> ListAsync(string integrationId, int take, CancellationToken cancellationToken);
}
