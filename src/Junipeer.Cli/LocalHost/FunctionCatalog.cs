using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Cli.LocalHost;

public enum TriggerKind
{
    Http,
    Queue,
    Timer,
}

/// <summary>A [Function] method found by reflection, with its trigger.</summary>
public sealed record FunctionDescriptor(string Name, Type Type, MethodInfo Method, TriggerKind Kind, string Target, string[] HttpMethods)
{
    // Built once per function, not per call: ActivatorUtilities.CreateInstance looks the constructor up by
    // reflection on every call, and GetParameters() copies the array each time (per request on the HTTP path).
    // (Static caches keyed by type and method, so the record's value equality is unchanged.)
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, ObjectFactory> Factories = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MethodInfo, ParameterInfo[]> Parameters = new();

    /// <summary>Invokes the function on a DI-activated instance, binding parameters by type and name.</summary>
    public async Task<object?> InvokeAsync(IServiceProvider services, Func<ParameterInfo, object?> bind)
    {
        var factory = Factories.GetOrAdd(Type, t => ActivatorUtilities.CreateFactory(t, Type.EmptyTypes));
        var parameters = Parameters.GetOrAdd(Method, m => m.GetParameters());
        var instance = factory(services, null);
        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            values[i] = bind(parameters[i]);
        }

        object? returned;
        try
        {
            returned = Method.Invoke(instance, values);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (returned is Task task)
        {
            await task;
            return task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
        }

        return returned;
    }
}

/// <summary>Discovers the Functions app's function classes exactly as the Functions host would see them.</summary>
public static class FunctionCatalog
{
    public static IReadOnlyList<FunctionDescriptor> Discover(Assembly assembly, IConfiguration configuration)
    {
        var list = new List<FunctionDescriptor>();
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } fn)
                {
                    continue;
                }

                foreach (var p in method.GetParameters())
                {
                    if (p.GetCustomAttribute<HttpTriggerAttribute>() is { } http)
                    {
                        list.Add(new FunctionDescriptor(fn.Name, type, method, TriggerKind.Http, "api/" + (http.Route ?? fn.Name),
                            (http.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray()));
                    }
                    else if (p.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
                    {
                        list.Add(new FunctionDescriptor(fn.Name, type, method, TriggerKind.Queue, Resolve(queue.QueueName, configuration), []));
                    }
                    else if (p.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
                    {
                        list.Add(new FunctionDescriptor(fn.Name, type, method, TriggerKind.Timer, Resolve(timer.Schedule, configuration), []));
                    }
                }
            }
        }

        return list;
    }

    /// <summary>A cron expression that never fires within a test or a benchmark (midnight on 1 January).</summary>
    public const string NeverSchedule = "0 0 0 1 1 *";

    /// <summary>
    /// The app setting behind every timer trigger's %Schedule% expression, read from the [TimerTrigger] attributes,
    /// each set to <see cref="NeverSchedule"/>. Hosts that must not run timers start from this, so a new timer needs
    /// no edit in every test and benchmark host.
    /// </summary>
    public static Dictionary<string, string?> TimerSettingsOff(Assembly? assembly = null)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in TimerSettingNames(assembly ?? typeof(Junipeer.Functions.Orders.OrderSyncFunction).Assembly))
        {
            settings[name] = NeverSchedule;
        }

        return settings;
    }

    /// <summary>The %Setting% names the timer triggers of <paramref name="assembly"/> bind to.</summary>
    public static IReadOnlyList<string> TimerSettingNames(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()?.Schedule)
            .OfType<string>()
            .Where(s => s.Length > 2 && s[0] == '%' && s[^1] == '%')
            .Select(s => s[1..^1])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Resolves %AppSetting% binding expressions like the host does.</summary>
    public static string Resolve(string expression, IConfiguration configuration)
    {
        if (expression.Length > 2 && expression[0] == '%' && expression[^1] == '%')
        {
            var name = expression[1..^1];
            return configuration[name] ?? configuration[name.Replace("__", ":", StringComparison.Ordinal)]
                ?? throw new InvalidOperationException($"App setting '{name}' used by a trigger is not configured.");
        }

        return expression;
    }

    public static bool IsHttpRequest(ParameterInfo p) => p.ParameterType == typeof(HttpRequest);
}
