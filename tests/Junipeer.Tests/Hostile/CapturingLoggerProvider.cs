using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Junipeer.Tests.Hostile;

/// <summary>
/// Captures everything a log sink could receive: the formatted message, every structured state value,
/// scope values and the full exception text, at every level. Leak checks search this, not just what
/// a console would print.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _lines);

    public void Dispose()
    {
    }

    private static string Describe(object? state)
    {
        var text = new StringBuilder(state?.ToString());
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (k, v) in pairs)
                text.Append(" | ").Append(k).Append('=').Append(v is System.Collections.IEnumerable e and not string ? string.Join(",", e.Cast<object?>()) : v);
        }

        return text.ToString();
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"scope {category}: {Describe(state)}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {Describe(state)} | {exception}");
    }
}
