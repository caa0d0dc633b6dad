using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Junipeer.Tests.Infrastructure;

/// <summary>Collects formatted log lines so tests can assert on what an operator would read.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public ILogger CreateLogger(string categoryName) => new ListLogger(_messages);

    public ILogger<T> CreateLogger<T>() => new Logger<T>(new Factory(this));

    public void Dispose()
    {
    }

    private sealed class Factory(ListLoggerProvider provider) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider p)
        {
        }

        public ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
