using System.Globalization;

namespace Junipeer.Sandbox;

public static class Program
{
    /// <summary>Runs the sandbox standalone: <c>Junipeer.Sandbox [--port 5080] [--demo] [--verbose]</c>.</summary>
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var port = 5080;
        var demo = false;
        var verbose = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p):
                    port = p;
                    i++;
                    break;
                case "--demo":
                    demo = true;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: Junipeer.Sandbox [--port N] [--demo] [--verbose]");
                    return 2;
            }
        }

        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Port = port, EnableConsoleLogging = verbose });
        if (demo)
        {
            var company = DemoData.SwedishCompany("00000000-0000-0000-0000-000000000001");
            host.State.Visma.CreateCompany(company);
            for (var n = 1001; n <= 1003; n++)
            {
                host.State.Centra.AddOrder(DemoData.SwedishOrder(n));
            }

            Console.WriteLine($"demo tenant {company.TenantId}, client {company.ClientId} / {company.ClientSecret}, Centra token {host.State.Centra.AccessToken}");
        }

        Console.WriteLine($"sandbox listening on {host.BaseUri}");
        Console.WriteLine($"  Visma token  {host.VismaTokenUrl}");
        Console.WriteLine($"  Visma API    {host.VismaApiBase}");
        Console.WriteLine($"  Centra       {host.CentraGraphQlUrl}");
        Console.WriteLine($"  control      {host.ControlBase}");
        await host.WaitForShutdownAsync();
        return 0;
    }
}
