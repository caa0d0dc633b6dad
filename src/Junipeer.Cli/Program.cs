using Junipeer.Functions.Hosting;
using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Junipeer.Cli;

/// <summary>Exit codes every command uses (documented in README "Running locally").</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Ran, but something needs the operator (status: failed orders; demo: duplicates, missing, contract violations).</summary>
    public const int AttentionNeeded = 1;

    /// <summary>Bad input: an unreadable settings file, invalid options, an unknown integration.</summary>
    public const int InvalidInput = 2;

    /// <summary>Storage could not be reached.</summary>
    public const int StorageUnavailable = 3;
}

public static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("junipeer — Centra/PSP → Visma.net integration engine: local host, demo and operator tools");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(IntegrationCommand());
        root.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(ReplayCommand());
        root.Subcommands.Add(RetryCommand());
        root.Subcommands.Add(ReplayPoisonCommand());
        root.Subcommands.Add(BackfillCommand());
        root.Subcommands.Add(EventsCommand());
        root.Subcommands.Add(ReimportCommand());
        root.Subcommands.Add(DiagnoseCommand());
        root.Subcommands.Add(ShadowCommand());
        root.Options.Add(VerboseOption);
        root.Subcommands.Add(SecretCommand());
        root.Subcommands.Add(PreflightCommand());

        // Ctrl+C, SIGTERM and SIGQUIT cancel the command's token; run and demo then stop their host and Azurite.
        using var signals = new ShutdownSignals();
        return await InvokeGuardedAsync(root, args, signals.Token);
    }

    private static readonly Option<string?> SettingsOption = new("--settings")
    {
        Description = "local.settings.json to read (default: local.settings.json in the working directory); environment variables win over it",
    };

    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print one JSON object on stdout (messages go to stderr)" };

    /// <summary>Output for the operator commands: tables or one JSON object on stdout, messages on stderr.</summary>
    private sealed class Output(bool json)
    {
        public bool Json { get; } = json;
        public IAnsiConsole Err { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

        public void Write(object jsonValue, Action human)
        {
            if (Json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(jsonValue, JunipeerJson.Options));
            }
            else
            {
                human();
            }
        }

        public int Error(int exit, string code, string message, StorageTarget? storage)
        {
            if (Json)
            {
                CliErrors.WriteJson(code, message, storage?.ToJson());
            }

            CliErrors.Write(code, message); // plain: no wrapping, greppable; the catalogue's fix on the next line
            return exit;
        }
    }

    /// <summary>Loads settings (environment wins), resolves the storage and says on stderr which one it is.</summary>
    private static (Dictionary<string, string?> Settings, StorageTarget Storage) Load(ParseResult parse, Output output)
    {
        var settings = CliSettings.LoadLocalSettings(parse.GetValue(SettingsOption));
        var storage = StorageTarget.Resolve(settings);
        Console.Error.WriteLine(storage.Describe()); // plain: no wrapping, greppable
        return (settings, storage);
    }

    /// <summary>Runs an operator command, turning unreachable storage into exit code 3 with a message instead of a stack trace.</summary>
    private static async Task<int> Guarded(Output output, StorageTarget storage, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (JunipeerException ex)
        {
            // A refusal with a code (invalid settings, a URL or secret not allowed, overlapping ownership): bad input.
            CliErrors.TraceIfVerbose(ex);
            return output.Error(ExitCodes.InvalidInput, ex.Code, ex.Message, storage);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException or InvalidOperationException && ex is not OptionsValidationException)
        {
            CliErrors.TraceIfVerbose(ex);
            var hint = storage.IsLocalAzurite ? " Is `junipeer run` (or Azurite) running on these ports?" : "";
            return output.Error(ExitCodes.StorageUnavailable, ErrorCodes.StorageUnavailable, $"{storage.Describe()} could not be used: {ex.Message.Split('\n')[0]}.{hint}", storage);
        }
    }

    private static Command RunCommand()
    {
        var port = new Option<int>("--port")
        {
            Description = $"HTTP port on 127.0.0.1 (default 7071 as Core Tools, or {HttpPortEnvironmentVariable})",
            DefaultValueFactory = _ => int.TryParse(Environment.GetEnvironmentVariable(HttpPortEnvironmentVariable), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 7071,
        };
        var noTimers = new Option<bool>("--no-timers") { Description = "Do not run timer triggers" };
        var cmd = new Command("run", "Run the Functions app locally: HTTP via Kestrel, queues from storage (host.json), timers on their schedules");
        cmd.Options.Add(port);
        cmd.Options.Add(noTimers);
        cmd.Options.Add(SettingsOption);
        cmd.SetAction(async (parse, ct) =>
        {
            var output = new Output(false);
            var (settings, storage) = Load(parse, output);
            try
            {
                AddLocalSecrets(settings); // the encrypted local store plays Key Vault's part (`junipeer secret set`)
            }
            catch (JunipeerException ex)
            {
                return output.Error(ExitCodes.InvalidInput, ex.Code, ex.Message, storage);
            }

            AzuriteRunner? azurite = null;
            try
            {
                if (storage.IsLocalAzurite)
                {
                    var options = AzuriteStartOptions.Standard(storage.AzuriteBasePort, AzuriteStartOptions.DefaultLocation());
                    if (await AzuriteRunner.IsRunningAsync(options))
                    {
                        output.Err.MarkupLine($"[grey]using the Azurite already listening on 127.0.0.1:{options.QueuePort} (queues) and {options.TablePort} (tables)[/]");
                    }
                    else
                    {
                        azurite = await AzuriteRunner.StartAsync(options, m => output.Err.MarkupLine($"[grey]{Markup.Escape(m)}[/]"), ct);
                    }

                    // Azurite's development account and its well-known public key: safe to print, handy to paste.
                    Console.Error.WriteLine($"AzureWebJobsStorage={storage.ConnectionString}");
                    EnsureLocalTokenKey(settings, output);
                }

                var consoleSignIn = ConsoleSignIn(settings, storage.IsLocalAzurite, output);

                if (CliSettings.FromEnvironment(OrderSweepScheduleKey) is null)
                {
                    settings.TryAdd(OrderSweepScheduleKey, "0 */5 * * * *");
                }

                if (CliSettings.FromEnvironment(StockSyncScheduleKey) is null)
                {
                    settings.TryAdd(StockSyncScheduleKey, "0 */2 * * * *");
                }

                if (CliSettings.FromEnvironment(CustomerSyncScheduleKey) is null)
                {
                    settings.TryAdd(CustomerSyncScheduleKey, "0 */5 * * * *");
                }

                if (CliSettings.FromEnvironment(ProductSyncScheduleKey) is null)
                {
                    settings.TryAdd(ProductSyncScheduleKey, "0 */10 * * * *");
                }

                if (CliSettings.FromEnvironment(ShipmentSweepScheduleKey) is null)
                {
                    settings.TryAdd(ShipmentSweepScheduleKey, "0 */5 * * * *");
                }

                if (CliSettings.FromEnvironment(PayoutSweepScheduleKey) is null)
                {
                    settings.TryAdd(PayoutSweepScheduleKey, "0 0 * * * *");
                }
                LocalFunctionsHost host;
                try
                {
                    host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
                    {
                        Port = parse.GetValue(port),
                        Settings = settings,
                        EnableTimers = !parse.GetValue(noTimers),
                    }, ct);
                }
                catch (OptionsValidationException ex)
                {
                    return output.Error(ExitCodes.InvalidInput, ErrorCodes.DeploymentSettingsInvalid, string.Join("; ", ex.Failures), storage);
                }

                await using (host)
                {
                    var table = new Table().AddColumns("function", "trigger", "target");
                    foreach (var f in host.Functions)
                    {
                        table.AddRow(Markup.Escape(f.Name), f.Kind.ToString(),
                            Markup.Escape(f.Kind == TriggerKind.Http ? $"{string.Join(",", f.HttpMethods)} {host.BaseUri}{f.Target}" : f.Target));
                    }

                    AnsiConsole.Write(table);
                    AnsiConsole.MarkupLine($"[green]Local host running[/] on {Markup.Escape(host.BaseUri.ToString())}. Ctrl+C (or SIGTERM) to stop.");
                    Console.Error.WriteLine($"Operator console: {new Uri(host.BaseUri, "api/console")} — {consoleSignIn}"); // plain: no wrapping, greppable
                    var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                    using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, either.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    output.Err.MarkupLine("[grey]stopping the local host[/]");
                }

                return ExitCodes.Ok;
            }
            finally
            {
                if (azurite is not null)
                {
                    output.Err.MarkupLine("[grey]stopping Azurite[/]");
                    await azurite.DisposeAsync();
                }
            }
        });
        return cmd;
    }

    /// <summary>
    /// Against the local Azurite only: when no usable Junipeer:TokenEncryptionKey is configured (the
    /// sample's placeholder), use a random key kept in .junipeer/token-encryption.key next to
    /// Azurite's data, so cached tokens survive a restart. Deployed apps must set the key (Key Vault).
    /// </summary>
    private static void EnsureLocalTokenKey(Dictionary<string, string?> settings, Output output)
    {
        const string key = "Junipeer:TokenEncryptionKey";
        var current = settings.GetValueOrDefault(key) ?? CliSettings.FromEnvironment(key);
        var buffer = new byte[64];
        if (current is { Length: > 0 } && Convert.TryFromBase64String(current, buffer, out var n) && n == 32)
        {
            return;
        }

        var file = Path.Combine(Directory.GetCurrentDirectory(), ".junipeer", "token-encryption.key");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        settings[key] = File.ReadAllText(file).Trim();
        output.Err.MarkupLine($"[grey]Junipeer:TokenEncryptionKey not set: using the local key in {Markup.Escape(file)}[/]");
    }

    public const string OrderSweepScheduleKey = "OrderSweepSchedule";
    public const string ShipmentSweepScheduleKey = "ShipmentSweepSchedule";
    public const string PayoutSweepScheduleKey = "PayoutSweepSchedule";

    public const string StockSyncScheduleKey = "StockSyncSchedule";
    public const string CustomerSyncScheduleKey = "CustomerSyncSchedule";
    public const string ProductSyncScheduleKey = "ProductSyncSchedule";

    /// <summary>Environment variable: default HTTP port of <c>junipeer run</c> (tests use it to stay off 7071).</summary>
    public const string HttpPortEnvironmentVariable = "JUNIPEER_HTTP_PORT";

    internal static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(config)
            .AddJunipeerStorage()
            .AddSingleton<Junipeer.Core.Operations.ConnectionStatusReader>()
            .BuildServiceProvider();
    }

    private static readonly Option<string> IntegrationOption = new("--integration") { Description = "Integration id", Required = true };
}
