using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Junipeer.Cli.Azurite;

/// <summary>Where Azurite listens and keeps its data.</summary>
/// <param name="BlobPort">Blob port; queue and table ports are given separately.</param>
/// <param name="Location">Data folder on disk; null keeps everything in memory.</param>
public sealed record AzuriteStartOptions(int BlobPort, int QueuePort, int TablePort, string? Location)
{
    /// <summary>Environment variable: first of three consecutive ports (blob, queue, table); default 10000.</summary>
    public const string PortEnvironmentVariable = "JUNIPEER_AZURITE_PORT";

    /// <summary>Environment variable: Azurite's data folder for <c>junipeer run</c>; default <c>.junipeer/azurite</c> under the working directory.</summary>
    public const string LocationEnvironmentVariable = "JUNIPEER_AZURITE_LOCATION";

    public const int StandardBlobPort = 10000;

    /// <summary>Azurite's standard ports (10000/10001/10002) unless JUNIPEER_AZURITE_PORT moves them.</summary>
    public static int BasePortFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(PortEnvironmentVariable), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65533 ? p : StandardBlobPort;

    public static AzuriteStartOptions Standard(int basePort, string? location) => new(basePort, basePort + 1, basePort + 2, location);

    public static string DefaultLocation() =>
        Environment.GetEnvironmentVariable(LocationEnvironmentVariable) is { Length: > 0 } l
            ? Path.GetFullPath(l)
            : Path.Combine(Directory.GetCurrentDirectory(), ".junipeer", "azurite");
}

/// <summary>
/// Starts Azurite (npm, pinned version): on free loopback ports in memory for the demo and the
/// tests, or on the standard ports with data on disk for <c>junipeer run</c>. The package is
/// installed into <c>.tools/azurite</c> under the repository root on first use (AZURITE_BIN
/// overrides the binary). Disposing stops it (SIGTERM so it flushes its data, then kill).
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
        ConnectionString = DevConnectionString(blob, queue, table);
    }

    public string ConnectionString { get; }

    /// <summary>The Azurite process id (tests check it is gone after shutdown).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Azurite's well-known development account on loopback ports (the key is Azurite's public one).</summary>
    public static string DevConnectionString(int blob, int queue, int table) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    /// <summary>Free loopback ports, in memory: the demo and the tests.</summary>
    public static Task<AzuriteRunner> StartAsync(Action<string>? progress, CancellationToken ct) =>
        StartAsync(new AzuriteStartOptions(FreePort(), FreePort(), FreePort(), null), progress, ct);

    /// <summary>True when something answers on both the queue and the table port (an Azurite already running).</summary>
    public static async Task<bool> IsRunningAsync(AzuriteStartOptions options) =>
        await IsListeningAsync(options.QueuePort) && await IsListeningAsync(options.TablePort);

    public static async Task<AzuriteRunner> StartAsync(AzuriteStartOptions options, Action<string>? progress, CancellationToken ct)
    {
        var bin = await EnsureInstalledAsync(progress, ct);
        var (blob, queue, table) = (options.BlobPort, options.QueuePort, options.TablePort);
        var psi = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--silent", "--skipApiVersionCheck", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            psi.ArgumentList.Add(a);
        }

        if (options.Location is null)
        {
            psi.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(options.Location);
            psi.ArgumentList.Add("--location");
            psi.ArgumentList.Add(options.Location);
        }

        progress?.Invoke($"starting Azurite {Version} on 127.0.0.1:{blob}/{queue}/{table} ({(options.Location is null ? "in memory" : "data in " + options.Location)})");
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

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task<bool> IsListeningAsync(int port)
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
                // SIGTERM first so an Azurite with data on disk flushes it; kill if it lingers.
                await ProcessSignals.TerminateAsync(_process, TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
