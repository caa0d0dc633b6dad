using System.CommandLine;
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
using Spectre.Console;

namespace Junipeer.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("junipeer — Centra/PSP → Visma.net integration engine: local host, demo and operator tools");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(IntegrationCommand());
        root.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(ReplayCommand());
        return await root.Parse(args).InvokeAsync();
    }

    private static readonly Option<string?> SettingsOption = new("--settings")
    {
        Description = "local.settings.json to read (default: the repository's local.settings.json)",
    };

    private static Command RunCommand()
    {
        var port = new Option<int>("--port") { Description = "HTTP port on 127.0.0.1", DefaultValueFactory = _ => 7071 };
        var noTimers = new Option<bool>("--no-timers") { Description = "Do not run timer triggers" };
        var cmd = new Command("run", "Run the Functions app locally: HTTP via Kestrel, queues from storage (host.json), timers on their schedules");
        cmd.Options.Add(port);
        cmd.Options.Add(noTimers);
        cmd.Options.Add(SettingsOption);
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = CliSettings.LoadLocalSettings(parse.GetValue(SettingsOption));
            await using var azurite = await StorageOrAzuriteAsync(settings, ct);
            settings.TryAdd(OrderSweepScheduleKey, "0 */5 * * * *");
            await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
            {
                Port = parse.GetValue(port),
                Settings = settings,
                EnableTimers = !parse.GetValue(noTimers),
            }, ct);
            var table = new Table().AddColumns("function", "trigger", "target");
            foreach (var f in host.Functions)
            {
                table.AddRow(f.Name, f.Kind.ToString(), f.Kind == TriggerKind.Http ? $"{string.Join(",", f.HttpMethods)} {host.BaseUri}{f.Target}" : f.Target);
            }

            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("[green]Local host running.[/] Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return cmd;
    }

    public const string OrderSweepScheduleKey = "OrderSweepSchedule";

    /// <summary>Uses AzureWebJobsStorage when configured, otherwise starts Azurite.</summary>
    internal static async Task<AzuriteRunner?> StorageOrAzuriteAsync(Dictionary<string, string?> settings, CancellationToken ct)
    {
        var configured = settings.GetValueOrDefault(StorageClients.ConnectionName) ?? Environment.GetEnvironmentVariable(StorageClients.ConnectionName);
        if (!string.IsNullOrWhiteSpace(configured) && configured != "UseDevelopmentStorage=true")
        {
            settings[StorageClients.ConnectionName] = configured;
            return null;
        }

        var azurite = await AzuriteRunner.StartAsync(m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"), ct);
        settings[StorageClients.ConnectionName] = azurite.ConnectionString;
        return azurite;
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).AddEnvironmentVariables().Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(config)
            .AddSingleton<StorageClients>()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IIntegrationStore, TableIntegrationStore>()
            .AddSingleton<ISyncLedger, TableLedger>()
            .AddSingleton<IEventLog, TableEventLog>()
            .AddSingleton<IWorkQueue, QueueWorkQueue>()
            .BuildServiceProvider();
    }

    private static Command IntegrationCommand()
    {
        var cmd = new Command("integration", "Manage integrations (one per ERP company) in the tenant's storage");
        var file = new Option<FileInfo>("--file") { Description = "Integration settings JSON (see docs/configuration.md)", Required = true };
        var add = new Command("add", "Create or replace an integration from a settings file");
        add.Options.Add(file);
        add.Options.Add(SettingsOption);
        add.SetAction(async (parse, ct) =>
        {
            var sp = Services(CliSettings.LoadLocalSettings(parse.GetValue(SettingsOption)));
            Integration? integration;
            try
            {
                integration = JsonSerializer.Deserialize<Integration>(await File.ReadAllTextAsync(parse.GetValue(file)!.FullName, ct), JunipeerJson.Options);
            }
            catch (JsonException ex)
            {
                AnsiConsole.MarkupLine($"[red]INTEGRATION_SETTINGS_INVALID[/]: {Markup.Escape(ex.Message)}");
                return 2;
            }

            if (integration is null)
            {
                AnsiConsole.MarkupLine("[red]INTEGRATION_SETTINGS_INVALID[/]: empty settings file");
                return 2;
            }

            try
            {
                await sp.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
            }
            catch (JunipeerException ex)
            {
                AnsiConsole.MarkupLine($"[red]{ex.Code}[/]: {Markup.Escape(ex.Message)}");
                return 2;
            }

            AnsiConsole.MarkupLine($"[green]Saved[/] integration [bold]{Markup.Escape(integration.Id)}[/]. Centra webhook URL: https://<app>/api/webhooks/centra/{Markup.Escape(integration.Id)}");
            return 0;
        });
        var list = new Command("list", "List integrations");
        list.Options.Add(SettingsOption);
        list.SetAction(async (parse, ct) =>
        {
            var sp = Services(CliSettings.LoadLocalSettings(parse.GetValue(SettingsOption)));
            var table = new Table().AddColumns("id", "name", "erp", "company tenant", "orders flow");
            foreach (var i in await sp.GetRequiredService<IIntegrationStore>().ListAsync(ct))
            {
                table.AddRow(i.Id, Markup.Escape(i.Name), i.Erp.Kind, i.Erp.VismaNet?.CompanyTenantId ?? "-", i.Orders.Enabled ? "on" : "off");
            }

            AnsiConsole.Write(table);
            return 0;
        });
        cmd.Subcommands.Add(add);
        cmd.Subcommands.Add(list);
        return cmd;
    }

    private static readonly Option<string> IntegrationOption = new("--integration") { Description = "Integration id", Required = true };

    private static Command StatusCommand()
    {
        var cmd = new Command("status", "Show the orders ledger and recent operator events of an integration");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(SettingsOption);
        cmd.SetAction(async (parse, ct) =>
        {
            var sp = Services(CliSettings.LoadLocalSettings(parse.GetValue(SettingsOption)));
            var id = parse.GetValue(IntegrationOption)!;
            var entries = await sp.GetRequiredService<ISyncLedger>().ListAsync(id, Flows.Orders, ct);
            var table = new Table().AddColumns("order", "status", "phase", "invoice", "customer", "error", "attempts");
            foreach (var e in entries.OrderBy(e => e.Key.EntityKey, StringComparer.Ordinal))
            {
                table.AddRow(e.Key.EntityKey, e.Status.ToString(), e.Phase, e.Document("invoice") ?? "", e.Document("customer") ?? "",
                    Markup.Escape(e.ErrorCode ?? ""), e.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            var events = new Table().AddColumns("at", "severity", "entity", "code", "message");
            foreach (var ev in await sp.GetRequiredService<IEventLog>().ListAsync(id, 20, ct))
            {
                events.AddRow(ev.At.ToString("u", System.Globalization.CultureInfo.InvariantCulture), ev.Severity.ToString(), ev.EntityKey,
                    Markup.Escape(ev.ErrorCode ?? ""), Markup.Escape(ev.Message));
            }

            AnsiConsole.Write(events);
            return 0;
        });
        return cmd;
    }

    private static Command ReplayCommand()
    {
        var order = new Option<string[]>("--order") { Description = "Order number(s) to sync again", Required = true, AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("replay", "Re-enqueue orders (e.g. after fixing the cause of a failure); the ledger keeps it exactly-once");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(order);
        cmd.Options.Add(SettingsOption);
        cmd.SetAction(async (parse, ct) =>
        {
            var sp = Services(CliSettings.LoadLocalSettings(parse.GetValue(SettingsOption)));
            var queue = sp.GetRequiredService<IWorkQueue>();
            foreach (var n in parse.GetValue(order)!)
            {
                await queue.EnqueueAsync(
                    WorkItem.ForOrder(parse.GetValue(IntegrationOption)!, n, WorkReasons.Replay, $"replay-{Guid.NewGuid():N}", TimeProvider.System.GetUtcNow()), null, ct);
            }

            AnsiConsole.MarkupLine($"[green]Re-enqueued[/] {parse.GetValue(order)!.Length} order(s).");
            return 0;
        });
        return cmd;
    }
}
