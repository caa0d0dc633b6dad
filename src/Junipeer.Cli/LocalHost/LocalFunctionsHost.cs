using Junipeer.Functions.Orders;
using Junipeer.Functions.Hosting;
using Junipeer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Junipeer.Cli.LocalHost;

public sealed record LocalHostOptions
{
    /// <summary>Loopback port for HTTP functions; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Configuration on top of appsettings/environment (storage, secrets, Junipeer options).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public string HostJsonPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "host.json");
    public bool EnableQueues { get; init; } = true;
    public bool EnableTimers { get; init; } = true;
    public TimeProvider? TimeProvider { get; init; }
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

/// <summary>
/// A small stand-in for the Functions host (Core Tools cannot be installed here): it discovers the
/// Functions app's [Function] classes, serves HTTP triggers through Kestrel at /api/…, pumps queue
/// triggers from storage honouring host.json, and runs timers on their schedules. The function
/// classes and the registration (<see cref="JunipeerRegistration.AddJunipeer"/>) are the real ones.
/// </summary>
public sealed class LocalFunctionsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalFunctionsHost(WebApplication app, IReadOnlyList<FunctionDescriptor> functions)
    {
        _app = app;
        Functions = functions;
    }

    public IReadOnlyList<FunctionDescriptor> Functions { get; }
    public IServiceProvider Services => _app.Services;
    public Uri BaseUri => new(_app.Urls.First());

    public static async Task<LocalFunctionsHost> StartAsync(LocalHostOptions options, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("System.Net.Http", LogLevel.Warning)
            // A failed start is reported by the CLI as CODE: message (no stack trace); the host would log it again with one.
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        options.ConfigureLogging?.Invoke(builder.Logging);
        if (options.TimeProvider is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(options.TimeProvider));
        }

        // The CLI owns Ctrl+C/SIGTERM (ShutdownSignals) and stops the host itself; the default
        // ConsoleLifetime would swallow SIGTERM and leave the command waiting.
        builder.Services.AddSingleton<IHostLifetime, CliHostLifetime>();
        builder.Services.AddMvcCore();
        builder.AddJunipeer();

        var functions = FunctionCatalog.Discover(typeof(OrderSyncFunction).Assembly, builder.Configuration);
        var hostJson = QueueHostSettings.Load(options.HostJsonPath);
        foreach (var f in functions)
        {
            if (f.Kind == TriggerKind.Queue && options.EnableQueues)
            {
                builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<QueuePump>(sp, f, hostJson));
            }
            else if (f.Kind == TriggerKind.Timer && options.EnableTimers)
            {
                builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TimerPump>(sp, f));
            }
        }

        var app = builder.Build();
        foreach (var f in functions.Where(f => f.Kind == TriggerKind.Http))
        {
            app.MapMethods("/" + f.Target, f.HttpMethods, (HttpContext ctx) => InvokeHttpAsync(f, ctx));
        }

        await app.StartAsync(ct);
        return new LocalFunctionsHost(app, functions);
    }

    private static async Task InvokeHttpAsync(FunctionDescriptor f, HttpContext ctx)
    {
        var result = await f.InvokeAsync(ctx.RequestServices, p =>
            FunctionCatalog.IsHttpRequest(p) ? ctx.Request :
            p.ParameterType == typeof(CancellationToken) ? ctx.RequestAborted :
            p.ParameterType == typeof(string) ? ctx.GetRouteValue(p.Name!)?.ToString() : null);
        if (result is IActionResult action)
        {
            await action.ExecuteResultAsync(new ActionContext(ctx, ctx.GetRouteData(), new ActionDescriptor()));
        }
    }

    /// <summary>The queue pumps, to watch progress.</summary>
    public IEnumerable<QueuePump> QueuePumps => _app.Services.GetServices<IHostedService>().OfType<QueuePump>();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A host lifetime that does not hook process signals (the CLI does).</summary>
internal sealed class CliHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
