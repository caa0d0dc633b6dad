using System.Diagnostics;
using System.Globalization;
using Junipeer.Cli.Azurite;

namespace Junipeer.Cli.Demo;

/// <summary>
/// `junipeer run` as a real child process, configured through environment variables (which win
/// over any local.settings.json), so the demo can SIGKILL it and start it again.
/// </summary>
public sealed class ChildHost : IAsyncDisposable
{
    private readonly Process _process;

    private ChildHost(Process process, int port)
    {
        _process = process;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseUri { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The command that starts this CLI again: the apphost itself, or <c>dotnet junipeer.dll</c>.</summary>
    public static ProcessStartInfo CliStartInfo(params string[] args)
    {
        var self = Environment.ProcessPath;
        var dll = typeof(ChildHost).Assembly.Location;
        var psi = self is not null && Path.GetFileNameWithoutExtension(self) == "junipeer"
            ? new ProcessStartInfo(self)
            : new ProcessStartInfo(DotnetHost()) { ArgumentList = { dll } };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        return psi;
    }

    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    public static async Task<ChildHost> StartAsync(int port, IReadOnlyDictionary<string, string?> settings, bool forwardOutput, CancellationToken ct)
    {
        // --settings points at a file that does not exist: only the environment configures the child.
        var psi = CliStartInfo("run", "--port", port.ToString(CultureInfo.InvariantCulture), "--settings", Path.Combine(Path.GetTempPath(), $"junipeer-child-{Guid.NewGuid():N}.json"));
        foreach (var (k, v) in settings)
        {
            psi.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start `junipeer run`.");
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new ChildHost(process, port);
        var waited = Stopwatch.StartNew();
        while (!await AzuriteRunner.IsListeningAsync(port))
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                await host.DisposeAsync();
                throw new InvalidOperationException($"`junipeer run` did not come up on port {port} (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            }

            await Task.Delay(100, ct);
        }

        return host;

        void Forward(string? line)
        {
            if (forwardOutput && line is not null)
            {
                Console.Error.WriteLine($"[host] {line}");
            }
        }
    }

    /// <summary>A real kill (SIGKILL on Linux): no shutdown code runs.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>Stops the child politely (SIGTERM), killing it if it does not exit in time.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ProcessSignals.TerminateAsync(_process, TimeSpan.FromSeconds(15));
        }
        catch (InvalidOperationException)
        {
        }
    }
}

/// <summary>Runs a cleanup on dispose (for a variable that is reassigned).</summary>
internal sealed class AsyncGuard(Func<ValueTask> cleanup) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => cleanup();
}
