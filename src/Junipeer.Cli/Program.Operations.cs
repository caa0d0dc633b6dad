using Junipeer.Functions.Hosting;
using System.CommandLine;
using System.Globalization;
using Junipeer.Core.Errors;
using Junipeer.Core.Operations;
using Junipeer.Core.Sync;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Junipeer.Cli;

/// <summary>
/// Operator commands on the operations service the console uses too (<see cref="OperationsService"/>):
/// <c>status</c>, <c>replay</c>, <c>retry</c>, <c>replay-poison</c>, <c>backfill</c>, <c>events</c>. Each has
/// <c>--json</c>; exit 0 ok, 1 attention needed (failures shown / waited-for entities failed), 2 bad input, 3 storage.
/// Human output is a table on a terminal and plain tab-separated lines when stdout is piped (no wrapping, greppable).
/// </summary>
public static partial class Program
{
    private static readonly Option<string> FlowOption = new("--flow") { Description = "Flow: orders, shipments, payouts (default orders)", DefaultValueFactory = _ => Flows.Orders };

    private static bool Piped => Console.IsOutputRedirected;

    /// <summary>Rows as a table on a terminal, or tab-separated lines (header first) when piped.</summary>
    private static void Rows(string[] header, IEnumerable<string[]> rows)
    {
        if (Piped)
        {
            Console.Out.WriteLine(string.Join('\t', header));
            foreach (var r in rows)
            {
                Console.Out.WriteLine(string.Join('\t', r.Select(c => c.Replace('\t', ' ').Replace('\n', ' '))));
            }

            return;
        }

        var table = new Table().AddColumns(header.Select(Markup.Escape).ToArray());
        foreach (var r in rows)
        {
            table.AddRow(r.Select(Markup.Escape).ToArray()); // every cell is user data, never markup
        }

        AnsiConsole.Write(table);
    }

    private static string Text(DateTimeOffset? at) => at?.ToString("u", CultureInfo.InvariantCulture) ?? "";

    private static object FailureJson(FailedEntity f) => new
    {
        flow = f.Flow, entity = f.EntityKey, code = f.Code, message = f.Message, cause = f.Cause, fix = f.Fix, f.Attempts, f.UpdatedAt, f.RetriesByItself,
    };

    /// <summary>Each failure on two lines: "CODE flow entity: message", then the fix (plain text, no wrapping when piped).</summary>
    private static void WriteFailures(IReadOnlyList<FailedEntity> failures)
    {
        foreach (var f in failures)
        {
            Console.Out.WriteLine($"{f.Code ?? "-"}\t{f.Flow}\t{f.EntityKey}\t{f.Message}");
            Console.Out.WriteLine($"  fix: {f.Fix ?? "(no catalogue entry for this code)"}");
        }
    }

    /// <summary>Runs an operations command on the engine's wiring; a <see cref="JunipeerException"/> becomes exit 2 with its code.</summary>
    private static Func<ParseResult, CancellationToken, Task<int>> Operations(Func<ParseResult, Output, StorageTarget, OperationsService, CancellationToken, Task<int>> body) =>
        async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            return await Guarded(output, storage, async () =>
            {
                // Backfill reads the shop/ERP, so it needs the engine with its connectors; everything else only storage.
                if (parse.CommandResult.Command.Name == "backfill")
                {
                    using var engine = Engine(settings);
                    return await body(parse, output, storage, engine.Services.GetRequiredService<OperationsService>(), ct);
                }

                using var sp = OperationsServices(settings);
                return await body(parse, output, storage, sp.GetRequiredService<OperationsService>(), ct);
            });
        };

    /// <summary>The operations service on storage alone (no connectors, no token key needed): status, retry, replay, events, poison replay.</summary>
    private static ServiceProvider OperationsServices(Dictionary<string, string?> settings)
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(config)
            .AddJunipeerStorage();
        return services
            .AddSingleton<IConnectionStatusSource, ConnectionStatusReader>()
            .AddSingleton<OperationsService>()
            .BuildServiceProvider();
    }

    private static Command StatusCommand()
    {
        var failedOnly = new Option<bool>("--failed") { Description = "Only failed entities" };
        var code = new Option<string?>("--code") { Description = "Only failures with this error code (implies --failed)" };
        var cmd = new Command("status", "Show the orders ledger, every failure with its fix, and recent operator events of an integration (exit 1 when entities failed)");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(failedOnly);
        cmd.Options.Add(code);
        cmd.Options.Add(SettingsOption);
        cmd.Options.Add(JsonOption);
        cmd.SetAction(Operations(async (parse, output, storage, ops, ct) =>
        {
            var id = parse.GetValue(IntegrationOption)!;
            var codeFilter = parse.GetValue(code);
            var onlyFailed = parse.GetValue(failedOnly) || codeFilter is not null;
            await ops.RequireAsync(id, ct);
            var failures = await ops.FailedAsync(id, null, codeFilter, ct);
            var entries = (await ops.LedgerAsync(id, Flows.Orders, ct))
                .Where(e => !onlyFailed || (e.Status == LedgerStatus.Failed && (codeFilter is null || e.ErrorCode == codeFilter)))
                .OrderBy(e => e.Key.EntityKey, StringComparer.Ordinal).ToList();
            var events = await ops.EventsAsync(id, new EventQuery(Take: 20), ct);
            var failed = entries.Count(e => e.Status == LedgerStatus.Failed);
            output.Write(new
            {
                integration = id,
                storage = storage.ToJson(),
                counts = entries.GroupBy(e => e.Status.ToString()).ToDictionary(g => g.Key, g => g.Count()),
                failed,
                orders = entries.Select(e => new
                {
                    order = e.Key.EntityKey, status = e.Status.ToString(), e.Phase, invoice = e.Document("invoice"), customer = e.Document("customer"),
                    e.ErrorCode, e.ErrorMessage, e.Attempts, e.UpdatedAt,
                }),
                failures = failures.Select(FailureJson),
                events = events.Select(ev => new { ev.At, severity = ev.Severity.ToString(), entity = ev.EntityKey, ev.ErrorCode, ev.Message }),
            }, () =>
            {
                Rows(["order", "status", "phase", "invoice", "customer", "error", "attempts"], entries.Select(e => new[]
                {
                    e.Key.EntityKey, e.Status.ToString(), e.Phase, e.Document("invoice") ?? "", e.Document("customer") ?? "", e.ErrorCode ?? "",
                    e.Attempts.ToString(CultureInfo.InvariantCulture),
                }));
                if (failures.Count > 0)
                {
                    Console.Out.WriteLine($"{failures.Count} failed:");
                    WriteFailures(failures);
                }

                if (!onlyFailed)
                {
                    Rows(["at", "severity", "entity", "code", "message"], events.Select(ev => new[] { Text(ev.At), ev.Severity.ToString(), ev.EntityKey, ev.ErrorCode ?? "", ev.Message }));
                }
            });
            return failures.Count > 0 ? ExitCodes.AttentionNeeded : ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command ReplayCommand()
    {
        var order = new Option<string[]>("--order") { Description = "Order number(s) to sync again", AllowMultipleArgumentsPerToken = true };
        var failed = new Option<bool>("--failed") { Description = "Re-enqueue every failed entity of the flow (with --code: only those)" };
        var code = new Option<string?>("--code") { Description = "With --failed: only failures with this error code" };
        var wait = new Option<bool>("--wait") { Description = "Wait until each replayed entity is done or failed again, with progress on stderr (exit 1 if any failed)" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds to wait at most (default 300)", DefaultValueFactory = _ => 300 };
        var cmd = new Command("replay", "Re-enqueue entities (e.g. after fixing the cause of a failure): --order N... or --failed [--code X]; the ledger keeps it exactly-once");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(order);
        cmd.Options.Add(failed);
        cmd.Options.Add(code);
        cmd.Options.Add(FlowOption);
        cmd.Options.Add(wait);
        cmd.Options.Add(timeout);
        cmd.Options.Add(SettingsOption);
        cmd.Options.Add(JsonOption);
        cmd.SetAction(Operations(async (parse, output, storage, ops, ct) =>
        {
            var id = parse.GetValue(IntegrationOption)!;
            var numbers = parse.GetValue(order) ?? [];
            var flow = parse.GetValue(FlowOption)!;
            if (numbers.Length == 0 == !parse.GetValue(failed))
            {
                throw new JunipeerException(ErrorCodes.OperationRequestInvalid, "Say what to replay: --order <number>... or --failed [--code <CODE>] (not both).");
            }

            if (parse.GetValue(code) is not null && !parse.GetValue(failed))
            {
                throw new JunipeerException(ErrorCodes.OperationRequestInvalid, "--code filters --failed; use it with --failed.");
            }

            var bad = flow == Flows.Orders ? numbers.Where(n => !Junipeer.Functions.Orders.CentraWebhookIntake.IsOrderNumber(n)).ToList() : [];
            if (bad.Count > 0)
            {
                return output.Error(ExitCodes.InvalidInput, ErrorCodes.ReplayOrderNumberInvalid,
                    $"Order numbers must be Centra order numbers (digits, 1 to {Junipeer.Functions.Orders.CentraWebhookIntake.MaxOrderNumber}); nothing was enqueued. Rejected: "
                    + string.Join(", ", bad.Take(5).Select(b => $"'{Junipeer.Functions.Webhooks.WebhookRequests.Sanitize(b)}'")) + ".", storage);
            }

            await ops.RequireAsync(id, ct);
            IReadOnlyList<string> keys;
            DateTimeOffset since;
            if (numbers.Length > 0)
            {
                var r = await ops.EnqueueAsync(id, flow, numbers, ct);
                (keys, since) = (numbers, r);
            }
            else
            {
                var r = await ops.RetryFailedAsync(id, flow, parse.GetValue(code), ct);
                (keys, since) = (r.Enqueued, r.EnqueuedAt);
            }

            if (!output.Json)
            {
                Console.Error.WriteLine($"Re-enqueued {keys.Count} {flow} entit{(keys.Count == 1 ? "y" : "ies")}.");
            }

            WaitProgress? progress = null;
            if (parse.GetValue(wait) && keys.Count > 0)
            {
                var last = "";
                progress = await ops.WaitAsync(id, flow, keys, since, TimeSpan.FromSeconds(parse.GetValue(timeout)), TimeSpan.FromSeconds(1), p =>
                {
                    var line = $"waiting: {p.Done} done, {p.Failed} failed, {p.Waiting} waiting of {p.Total}";
                    if (line != last)
                    {
                        Console.Error.WriteLine(line); // progress on stderr, one line per change
                        last = line;
                    }
                }, ct);
            }

            output.Write(new
            {
                integration = id,
                flow,
                enqueued = keys,
                storage = storage.ToJson(),
                wait = progress is null ? null : new { progress.Total, progress.Done, progress.Failed, progress.Waiting, progress.TimedOut, failures = progress.Failures.Select(FailureJson) },
            }, () =>
            {
                Console.Out.WriteLine($"Re-enqueued {keys.Count}: {string.Join(' ', keys)}");
                if (progress is not null)
                {
                    Console.Out.WriteLine($"{progress.Done} done, {progress.Failed} failed, {progress.Waiting} still waiting{(progress.TimedOut ? " (timed out)" : "")}");
                    WriteFailures(progress.Failures);
                }
            });
            return progress is { } w && (w.Failed > 0 || w.TimedOut) ? ExitCodes.AttentionNeeded : ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command RetryCommand()
    {
        var key = new Option<string>("--key") { Description = "Entity key: order number, shipment number, or provider:payout id", Required = true };
        var cmd = new Command("retry", "Re-enqueue one failed (or stuck) entity after fixing its cause; a done entity is left alone");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(FlowOption);
        cmd.Options.Add(key);
        cmd.Options.Add(SettingsOption);
        cmd.Options.Add(JsonOption);
        cmd.SetAction(Operations(async (parse, output, storage, ops, ct) =>
        {
            var id = parse.GetValue(IntegrationOption)!;
            var r = await ops.RetryAsync(id, parse.GetValue(FlowOption)!, parse.GetValue(key)!, ct);
            output.Write(new { integration = id, r.Flow, entity = r.EntityKey, r.PreviousStatus, r.Enqueued, r.Note, storage = storage.ToJson() },
                () => Console.Out.WriteLine(r.Enqueued ? $"Re-enqueued {r.Flow} {r.EntityKey} (was {r.PreviousStatus})." : $"{r.Flow} {r.EntityKey}: {r.Note}."));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command ReplayPoisonCommand()
    {
        var cmd = new Command("replay-poison", "Put this integration's poison-queue messages back on their queues and re-enqueue entities whose retries were exhausted");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(SettingsOption);
        cmd.Options.Add(JsonOption);
        cmd.SetAction(Operations(async (parse, output, storage, ops, ct) =>
        {
            var id = parse.GetValue(IntegrationOption)!;
            var r = await ops.ReplayPoisonAsync(id, ct);
            output.Write(new { integration = id, r.FromPoisonQueues, r.FromLedger, entities = r.Entities, storage = storage.ToJson() },
                () => Console.Out.WriteLine($"Replayed {r.Entities.Count}: {r.FromPoisonQueues} from poison queues, {r.FromLedger} exhausted rows. {string.Join(' ', r.Entities)}"));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command BackfillCommand()
    {
        var from = new Option<string>("--from") { Description = "Re-sync entities changed since this date (yyyy-MM-dd, UTC) or instant (ISO 8601)", Required = true };
        var cmd = new Command("backfill", "Re-sync a period: enqueue the flow's entities changed since --from that are not done (orders: from the shop, as the sweep reads)");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(FlowOption);
        cmd.Options.Add(from);
        cmd.Options.Add(SettingsOption);
        cmd.Options.Add(JsonOption);
        cmd.SetAction(Operations(async (parse, output, storage, ops, ct) =>
        {
            var id = parse.GetValue(IntegrationOption)!;
            var start = ParseFrom(parse.GetValue(from)!);
            var r = await ops.BackfillAsync(id, parse.GetValue(FlowOption)!, start, ct);
            output.Write(new { integration = id, r.Flow, from = r.From, r.Seen, r.Enqueued, r.AlreadyDone, r.NotOwned, storage = storage.ToJson() },
                () => Console.Out.WriteLine($"Backfill {r.Flow} from {Text(r.From)}: {r.Seen} changed, {r.Enqueued} enqueued, {r.AlreadyDone} already done, {r.NotOwned} owned by another integration."));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>A date (midnight UTC) or an ISO 8601 instant; anything else is OPERATION_REQUEST_INVALID.</summary>
    public static DateTimeOffset ParseFrom(string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"--from '{value}' is not a date (yyyy-MM-dd) or an ISO 8601 instant.");

    private static Command EventsCommand()
    {
        var failed = new Option<bool>("--failed") { Description = "Only errors" };
        var reference = new Option<string?>("--reference") { Description = "Only events whose entity contains this text (order number …)" };
        var take = new Option<int>("--take") { Description = "At most this many events, newest first (default 50)", DefaultValueFactory = _ => 50 };
        var cmd = new Command("events", "The operator event log of an integration, newest first (exit 1 with --failed when errors are listed)");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(failed);
        cmd.Options.Add(reference);
        cmd.Options.Add(take);
        cmd.Options.Add(SettingsOption);
        cmd.Options.Add(JsonOption);
        cmd.SetAction(Operations(async (parse, output, storage, ops, ct) =>
        {
            var id = parse.GetValue(IntegrationOption)!;
            var list = await ops.EventsAsync(id, new EventQuery(parse.GetValue(reference), parse.GetValue(failed) ? EventSeverity.Error : null, null, parse.GetValue(take)), ct);
            output.Write(new
            {
                integration = id,
                storage = storage.ToJson(),
                events = list.Select(e => new { e.At, severity = e.Severity.ToString(), e.Flow, entity = e.EntityKey, code = e.ErrorCode, e.Message, e.Fix, e.CorrelationId }),
            }, () => Rows(["at", "severity", "flow", "entity", "code", "message", "fix"],
                list.Select(e => new[] { Text(e.At), e.Severity.ToString(), e.Flow, e.EntityKey, e.ErrorCode ?? "", e.Message, e.Fix ?? "" })));
            return parse.GetValue(failed) && list.Count > 0 ? ExitCodes.AttentionNeeded : ExitCodes.Ok;
        }));
        return cmd;
    }

    public const string ConsoleSecretKey = "Junipeer:Console:AdminSecret";

    /// <summary>
    /// The sign-in line <c>junipeer run</c> prints. Against the local Azurite without a configured admin secret
    /// (and without Easy Auth), a random one is kept in .junipeer/console-admin-secret (like the token key) and
    /// used; the secret itself is never printed, only where it is.
    /// </summary>
    private static string ConsoleSignIn(Dictionary<string, string?> settings, bool localAzurite, Output output)
    {
        var easyAuth = settings.GetValueOrDefault("Junipeer:Console:EasyAuth") ?? CliSettings.FromEnvironment("Junipeer:Console:EasyAuth");
        if (string.Equals(easyAuth, "true", StringComparison.OrdinalIgnoreCase))
        {
            return "signed in by App Service Authentication (Junipeer__Console__EasyAuth=true).";
        }

        var current = settings.GetValueOrDefault(ConsoleSecretKey) ?? CliSettings.FromEnvironment(ConsoleSecretKey);
        if (current is { Length: >= 16 })
        {
            return "sign in with Junipeer__Console__AdminSecret (form, or `Authorization: Bearer <secret>` for scripts).";
        }

        if (!localAzurite)
        {
            return "not available: set Junipeer__Console__AdminSecret (at least 16 characters) to sign in.";
        }

        var file = Path.Combine(Directory.GetCurrentDirectory(), ".junipeer", "console-admin-secret");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        settings[ConsoleSecretKey] = File.ReadAllText(file).Trim();
        output.Err.MarkupLine($"[grey]Junipeer:Console:AdminSecret not set: using the local secret in {Markup.Escape(file)}[/]");
        return $"sign in with the admin secret in {file} (or set Junipeer__Console__AdminSecret).";
    }
}
