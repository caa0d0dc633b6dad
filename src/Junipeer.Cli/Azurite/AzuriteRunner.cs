using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Junipeer.Cli.Azurite;

/// <summary>
/// Starts Azurite (npm, pinned version) on free loopback ports with in-memory persistence, so the
/// demo and the tests never need anyone to start storage by hand. The package is installed into
/// <c>.tools/azurite</c> under the repository root on first use (AZURITE_BIN overrides the binary).
/// </summary>
public sealed class AzuriteRunner : IAsyncDisposable
{
    public const string Version = "3.37.0";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;

    private AzuriteRunner(Process process, int blob, int queue, int table)
    {
        _process = process;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<AzuriteRunner> StartAsync(Action<string>? progress, CancellationToken ct)
    {
        var bin = await EnsureInstalledAsync(progress, ct);
        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var psi = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            psi.ArgumentList.Add(a);
        }

        progress?.Invoke($"starting Azurite {Version} on 127.0.0.1:{blob}/{queue}/{table}");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var runner = new AzuriteRunner(process, blob, queue, table);
        var waited = Stopwatch.StartNew();
        while (!(await IsListeningAsync(queue) && await IsListeningAsync(table)))
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                await runner.DisposeAsync();
                throw new InvalidOperationException($"Azurite did not come up (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            }

            await Task.Delay(100, ct);
        }

        return runner;
    }

    /// <summary>Finds the repository root (the folder holding Junipeer.Functions.sln).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Junipeer.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static async Task<string> EnsureInstalledAsync(Action<string>? progress, CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable("AZURITE_BIN") is { Length: > 0 } custom)
        {
            return custom;
        }

        var prefix = Path.Combine(RepositoryRoot(), ".tools", "azurite");
        var bin = Path.Combine(prefix, "node_modules", ".bin", "azurite");
        await InstallLock.WaitAsync(ct);
        try
        {
            if (File.Exists(bin))
            {
                return bin;
            }

            progress?.Invoke($"installing azurite@{Version} from npm into {prefix} (first run only)");
            Directory.CreateDirectory(prefix);
            var psi = new ProcessStartInfo("npm") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel", "error", $"azurite@{Version}" })
            {
                psi.ArgumentList.Add(a);
            }

            using var npm = Process.Start(psi) ?? throw new InvalidOperationException("npm is required to install Azurite.");
            var stderr = npm.StandardError.ReadToEndAsync(ct);
            await npm.StandardOutput.ReadToEndAsync(ct);
            await npm.WaitForExitAsync(ct);
            if (npm.ExitCode != 0 || !File.Exists(bin))
            {
                throw new InvalidOperationException($"npm install azurite@{Version} failed: {await stderr}");
            }

            return bin;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
