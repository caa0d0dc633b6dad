using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Cli.Secrets;
using Junipeer.Core;
using Junipeer.Core.Connect;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Preflight;
using Junipeer.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Junipeer.Cli;

/// <summary>Connecting systems: `integration add|list|show|disable`, `secret set|list`, `preflight`.</summary>
public static partial class Program
{
    /// <summary>Where the webhook and connect URLs printed by `integration add|show` point (the app's public origin).</summary>
    private static readonly Option<string?> BaseUrlOption = new("--base-url")
    {
        Description = "Public origin of the Functions app (default: Junipeer:Connect:PublicBaseUrl, else http://127.0.0.1:7071 of `junipeer run`)",
    };

    private static string PublicBase(ParseResult parse, Dictionary<string, string?> settings) =>
        (parse.GetValue(BaseUrlOption) ?? settings.GetValueOrDefault("Junipeer:Connect:PublicBaseUrl") ?? CliSettings.FromEnvironment("Junipeer:Connect:PublicBaseUrl")
            ?? "http://127.0.0.1:7071").TrimEnd('/');

    /// <summary>The URLs an operator registers at the vendors for this integration.</summary>
    public static Dictionary<string, string> EndpointsOf(Integration i, string origin)
    {
        var urls = new Dictionary<string, string>(StringComparer.Ordinal) { ["centraWebhook"] = $"{origin}/api/webhooks/centra/{i.Id}" };
        if (i.Shipments.Enabled)
            urls["vismaWebhook"] = $"{origin}/api/webhooks/visma/{i.Id}";
        if (i.Erp.VismaNet?.Auth == VismaAuthMode.Interactive)
        {
            urls["vismaConnect"] = $"{origin}/api/connect/vismanet/{i.Id}";
            urls["vismaRedirectUri"] = $"{origin}/api/oauth/callback/vismanet";
        }

        return urls;
    }

    /// <summary>Settings plus the local secret store's secrets as Secrets:&lt;name&gt; (environment and settings win).</summary>
    private static void AddLocalSecrets(Dictionary<string, string?> settings)
    {
        var store = LocalSecretStore.ForWorkingDirectory();
        if (!File.Exists(store.File))
            return;
        foreach (var (name, value) in store.ReadAll())
        {
            var key = $"Secrets:{name}";
            if (CliSettings.FromEnvironment(key) is null && !settings.ContainsKey(key))
                settings[key] = value;
        }
    }

    private static Command IntegrationCommand()
    {
        var cmd = new Command("integration", "Manage integrations (one per ERP company) in the tenant's storage");
        var file = new Option<FileInfo>("--file") { Description = "Integration settings JSON (see docs/configuration.md)", Required = true };
        var noSecretCheck = new Option<bool>("--no-secret-check")
        {
            Description = "Do not require the named secrets to resolve here (adding to Azure storage from a machine without the Key Vault secrets)",
        };
        var add = new Command("add", "Create or replace an integration from a settings file: unknown fields, invalid settings and secrets that do not resolve are refused");
        add.Options.Add(file);
        add.Options.Add(noSecretCheck);
        add.Options.Add(BaseUrlOption);
        add.Options.Add(SettingsOption);
        add.Options.Add(JsonOption);
        add.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            Integration? integration;
            try
            {
                var node = JsonNode.Parse(await File.ReadAllTextAsync(parse.GetValue(file)!.FullName, ct));
                IntegrationFields.EnsureKnown(node);
                integration = node.Deserialize<Integration>(JunipeerJson.Options);
            }
            catch (JunipeerException ex)
            {
                return output.Error(ExitCodes.InvalidInput, ex.Code, ex.Message, storage);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationSettingsInvalid, ex.Message, storage);
            }

            if (integration is null || string.IsNullOrWhiteSpace(integration.Id))
            {
                return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationSettingsInvalid, "empty settings file or no \"id\"", storage);
            }

            try
            {
                IntegrationValidator.EnsureValid(integration, IntegrationRules.FromSetting(settings.GetValueOrDefault(IntegrationRules.AllowLoopbackHttpKey) ?? CliSettings.FromEnvironment(IntegrationRules.AllowLoopbackHttpKey)));
                if (!parse.GetValue(noSecretCheck))
                {
                    AddLocalSecrets(settings);
                    var unresolved = IntegrationValidator.SecretNames(integration).Distinct()
                        .Where(n => (settings.GetValueOrDefault($"Secrets:{n}") ?? CliSettings.FromEnvironment($"Secrets:{n}")) is not { Length: > 0 }).ToList();
                    if (unresolved.Count > 0)
                    {
                        return output.Error(ExitCodes.InvalidInput, ErrorCodes.SecretNotConfigured,
                            $"Secret(s) {string.Join(", ", unresolved.Select(n => $"'{n}'"))} do not resolve: set them with `junipeer secret set <name>` (local), as app settings Secrets__<name> (Key Vault references in Azure), or pass --no-secret-check.",
                            storage);
                    }
                }
            }
            catch (JunipeerException ex)
            {
                return output.Error(ExitCodes.InvalidInput, ex.Code, ex.Message, storage);
            }

            return await Guarded(output, storage, async () =>
            {
                using var sp = Services(settings);
                await sp.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
                var urls = EndpointsOf(integration, PublicBase(parse, settings));
                output.Write(new { saved = integration.Id, webhookUrl = urls["centraWebhook"], urls, storage = storage.ToJson() }, () =>
                {
                    AnsiConsole.MarkupLine($"[green]Saved[/] integration [bold]{Markup.Escape(integration.Id)}[/].");
                    foreach (var (what, url) in urls)
                        Console.Out.WriteLine($"{what}: {url}"); // plain: copy-pasteable
                });
                return ExitCodes.Ok;
            });
        });

        var list = new Command("list", "List integrations");
        list.Options.Add(SettingsOption);
        list.Options.Add(JsonOption);
        list.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            return await Guarded(output, storage, async () =>
            {
                using var sp = Services(settings);
                var all = await sp.GetRequiredService<IIntegrationStore>().ListAsync(ct);
                output.Write(new
                {
                    storage = storage.ToJson(),
                    integrations = all.Select(i => new
                    {
                        i.Id, i.Name, erp = i.Erp.Kind, companyTenantId = i.Erp.VismaNet?.CompanyTenantId, ordersEnabled = i.Orders.Enabled,
                        enabled = i.Enabled, auth = i.Erp.VismaNet?.Auth.ToString(), environment = i.Erp.VismaNet?.Environment.ToString(),
                    }),
                }, () =>
                {
                    var table = new Table().AddColumns("id", "name", "erp", "company tenant", "environment", "orders flow", "enabled");
                    foreach (var i in all)
                    {
                        table.AddRow(Markup.Escape(i.Id), Markup.Escape(i.Name), Markup.Escape(i.Erp.Kind), Markup.Escape(i.Erp.VismaNet?.CompanyTenantId ?? "-"),
                            i.Erp.VismaNet?.Environment.ToString() ?? "-", i.Orders.Enabled ? "on" : "off", i.Enabled ? "yes" : "no");
                    }

                    AnsiConsole.Write(table);
                });
                return ExitCodes.Ok;
            });
        });

        var show = new Command("show", "Show one integration: settings (secret names only), connection status per system, the URLs to register");
        show.Options.Add(IntegrationOption);
        show.Options.Add(BaseUrlOption);
        show.Options.Add(SettingsOption);
        show.Options.Add(JsonOption);
        show.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            var id = parse.GetValue(IntegrationOption)!;
            return await Guarded(output, storage, async () =>
            {
                using var sp = Services(settings);
                var integration = await sp.GetRequiredService<IIntegrationStore>().GetAsync(id, ct);
                if (integration is null)
                {
                    return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationNotFound, $"No integration '{id}' in this storage (see `junipeer integration list`).", storage);
                }

                var connections = await sp.GetRequiredService<Junipeer.Core.Operations.ConnectionStatusReader>().GetAsync(id, ct);
                var urls = EndpointsOf(integration, PublicBase(parse, settings));
                output.Write(new
                {
                    integration = JsonSerializer.SerializeToNode(integration, JunipeerJson.Options),
                    connections = connections.Select(c => new
                    {
                        system = c.System, role = c.Role, status = c.Status, state = StateName(c.Status), errorCode = c.ErrorCode, errorMessage = c.Message,
                        company = c.Company, at = c.At, signal = c.Signal,
                    }),
                    urls,
                    storage = storage.ToJson(),
                }, () =>
                {
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(integration.Id)}[/] {Markup.Escape(integration.Name)} ({(integration.Enabled ? "enabled" : "disabled")})");
                    AnsiConsole.MarkupLine($"ERP {Markup.Escape(integration.Erp.Kind)}: company {Markup.Escape(integration.Erp.VismaNet?.CompanyTenantId ?? "-")}, "
                                           + $"{integration.Erp.VismaNet?.Auth} auth, {integration.Erp.VismaNet?.Environment} environment");
                    var table = new Table().AddColumns("system", "connection", "since", "signal", "error");
                    foreach (var c in connections)
                    {
                        table.AddRow(Markup.Escape($"{c.System} ({c.Role})"), c.Status, c.At?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                            Markup.Escape(c.Signal ?? ""), Markup.Escape(c.ErrorCode is null ? "" : $"{c.ErrorCode}: {c.Message}"));
                    }

                    if (connections.Count == 0)
                        table.AddRow("-", "no systems configured", "", "", "");
                    AnsiConsole.Write(table);
                    foreach (var (what, url) in urls)
                        Console.Out.WriteLine($"{what}: {url}");
                });
                return ExitCodes.Ok;
            });
        });

        var disable = new Command("disable", "Switch every flow of an integration off (settings are kept; `integration add` turns it on again)");
        disable.Options.Add(IntegrationOption);
        disable.Options.Add(SettingsOption);
        disable.Options.Add(JsonOption);
        disable.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            var id = parse.GetValue(IntegrationOption)!;
            return await Guarded(output, storage, async () =>
            {
                using var sp = Services(settings);
                var store = sp.GetRequiredService<IIntegrationStore>();
                var integration = await store.GetAsync(id, ct);
                if (integration is null)
                {
                    return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationNotFound, $"No integration '{id}' in this storage (see `junipeer integration list`).", storage);
                }

                await store.SaveAsync(integration.Disable(), ct);
                output.Write(new { disabled = id, storage = storage.ToJson() }, () => AnsiConsole.MarkupLine($"[yellow]Disabled[/] integration [bold]{Markup.Escape(id)}[/]: every flow is off."));
                return ExitCodes.Ok;
            });
        });

        cmd.Subcommands.Add(add);
        cmd.Subcommands.Add(list);
        cmd.Subcommands.Add(show);
        cmd.Subcommands.Add(disable);
        return cmd;
    }

    private static Command SecretCommand()
    {
        var cmd = new Command("secret", $"The encrypted local secret store of `junipeer run` (.junipeer/secrets.json; key {LocalSecretStore.KeyVariable} or ~/.junipeer/secrets.key)");
        var name = new Argument<string>("name") { Description = "Secret name as the integration settings name it (letters and digits)" };
        var fromEnv = new Option<string?>("--from-env") { Description = "Read the value from this environment variable instead of stdin" };
        var set = new Command("set", "Store a secret; the value is read from stdin (or --from-env), never from the command line");
        set.Arguments.Add(name);
        set.Options.Add(fromEnv);
        set.Options.Add(JsonOption);
        set.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var n = parse.GetValue(name)!;
            if (!IntegrationValidator.IsValidSecretName(n))
                return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationSettingsInvalid, $"Secret name '{n}' must be letters and digits only.", null);
            var variable = parse.GetValue(fromEnv);
            var value = variable is null ? (await Console.In.ReadToEndAsync(ct)).TrimEnd('\r', '\n') : Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(value))
                return output.Error(ExitCodes.InvalidInput, ErrorCodes.SecretNotConfigured, variable is null ? "No value on stdin." : $"Environment variable {variable} is empty.", null);
            try
            {
                var store = LocalSecretStore.ForWorkingDirectory();
                store.ReadAll(); // refuse to add to a store this key cannot read
                store.Set(n, value);
                output.Write(new { saved = n, store = store.File }, () => AnsiConsole.MarkupLine($"[green]Saved[/] secret [bold]{Markup.Escape(n)}[/] in {Markup.Escape(store.File)}."));
                return ExitCodes.Ok;
            }
            catch (JunipeerException ex)
            {
                return output.Error(ExitCodes.InvalidInput, ex.Code, ex.Message, null);
            }
        });
        var list = new Command("list", "List the names of the stored secrets (never their values)");
        list.Options.Add(JsonOption);
        list.SetAction(parse =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            try
            {
                var store = LocalSecretStore.ForWorkingDirectory();
                var names = store.ReadAll().Keys.Order(StringComparer.Ordinal).ToList(); // proves the key opens every value
                output.Write(new { store = store.File, names }, () =>
                {
                    foreach (var n in names)
                        Console.Out.WriteLine(n);
                });
                return ExitCodes.Ok;
            }
            catch (JunipeerException ex)
            {
                return output.Error(ExitCodes.InvalidInput, ex.Code, ex.Message, null);
            }
        });
        cmd.Subcommands.Add(set);
        cmd.Subcommands.Add(list);
        return cmd;
    }

    private static Command PreflightCommand()
    {
        var cmd = new Command("preflight", "Check the live ERP for every prerequisite the integration's flows need (exit 0 all pass, 1 failures, 2 bad input, 3 storage)");
        cmd.Options.Add(IntegrationOption);
        cmd.Options.Add(SettingsOption);
        cmd.Options.Add(JsonOption);
        cmd.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            var id = parse.GetValue(IntegrationOption)!;
            return await Guarded(output, storage, async () =>
            {
                if (storage.IsLocalAzurite)
                    EnsureLocalTokenKey(settings, output);
                AddLocalSecrets(settings);
                using var host = Engine(settings);
                var integration = await host.Services.GetRequiredService<IIntegrationStore>().GetAsync(id, ct);
                if (integration is null)
                {
                    return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationNotFound, $"No integration '{id}' in this storage (see `junipeer integration list`).", storage);
                }

                var report = await host.Services.GetRequiredService<PreflightRunner>().RunAsync(integration, ct);
                output.Write(new { integration = id, preflight = PreflightJson(report), storage = storage.ToJson() }, () => WritePreflightTable(report));
                return report.Failed > 0 ? ExitCodes.AttentionNeeded : ExitCodes.Ok;
            });
        });
        return cmd;
    }

    /// <summary>The preflight object of `preflight --json` and the demo's `--json`.</summary>
    public static object PreflightJson(PreflightReport report) => new
    {
        checks = report.Checks.Select(c => new { check = c.Check, outcome = Outcome(c.Outcome), code = c.Code, detail = c.Detail, fix = c.Fix }),
        passed = report.Passed,
        failed = report.Failed,
        cannotCheck = report.CannotCheck,
        codes = report.Codes,
    };

    private static string Outcome(PreflightOutcome o) => o switch
    {
        PreflightOutcome.Pass => "pass",
        PreflightOutcome.Fail => "fail",
        _ => "cannot-check",
    };

    public static void WritePreflightTable(PreflightReport report)
    {
        var table = new Table().AddColumns("check", "result", "code", "detail / fix");
        foreach (var c in report.Checks)
        {
            var result = c.Outcome switch
            {
                PreflightOutcome.Pass => "[green]pass[/]",
                PreflightOutcome.Fail => "[red]fail[/]",
                _ => "[yellow]cannot-check[/]",
            };
            table.AddRow(Markup.Escape(c.Check), result, Markup.Escape(c.Code ?? ""), Markup.Escape(c.Fix is null ? c.Detail : $"{c.Detail}\nFix: {c.Fix}"));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{report.Passed} passed, {report.Failed} failed, {report.CannotCheck} cannot be checked by the API.");
    }

    /// <summary>The status in the Pascal-case name `integration show --json` has always had in <c>state</c>.</summary>
    private static string StateName(string status) => status switch
    {
        Junipeer.Core.Operations.ConnectionStatuses.Connected => "Connected",
        Junipeer.Core.Operations.ConnectionStatuses.Expired => "Expired",
        Junipeer.Core.Operations.ConnectionStatuses.Revoked => "Revoked",
        _ => "NeverConnected",
    };
}
