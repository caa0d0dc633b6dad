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
    /// <summary>Invokes the function on a DI-activated instance, binding parameters by type and name.</summary>
    public async Task<object?> InvokeAsync(IServiceProvider services, Func<ParameterInfo, object?> bind)
    {
        var instance = ActivatorUtilities.CreateInstance(services, Type);
        object? returned;
        try
        {
            returned = Method.Invoke(instance, Method.GetParameters().Select(bind).ToArray());
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
