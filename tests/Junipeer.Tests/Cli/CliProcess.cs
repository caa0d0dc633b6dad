using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Junipeer.Tests.Cli;

/// <summary>Runs the built CLI (junipeer.dll next to the tests) or a shell line as a real process.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly object _gate = new();

    private CliProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_gate) { _out.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_gate) { _err.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string StdOut { get { lock (_gate) { return _out.ToString(); } } }

    public string StdErr { get { lock (_gate) { return _err.ToString(); } } }

    /// <summary>The command that stands for <c>dotnet run --project src/Junipeer.Cli --</c>: the CLI the test run already built.</summary>
    public static string CliCommand => $"dotnet {Path.Combine(AppContext.BaseDirectory, "junipeer.dll")}";

    /// <summary>Starts <c>bash -c "exec &lt;line&gt;"</c> (exec: the pid is the command's own).</summary>
    public static CliProcess Shell(string line, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec " + line);
        foreach (var (k, v) in environment)
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }

        return new CliProcess(Process.Start(psi)!);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process did not exit within {timeout}. stdout:\n{StdOut}\nstderr:\n{StdErr}");
        }

        _process.WaitForExit(); // flush the output readers
        return _process.ExitCode;
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!StdOut.Contains(text, StringComparison.Ordinal) && !StdErr.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || sw.Elapsed > timeout)
            {
                throw new InvalidOperationException($"'{text}' did not appear (exited: {_process.HasExited}). stdout:\n{StdOut}\nstderr:\n{StdErr}");
            }

            await Task.Delay(100);
        }
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Pids of processes whose command line contains every one of the given fragments.</summary>
    public static IReadOnlyList<int> ProcessesWith(params string[] fragments) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var p) ? p : -1, Dir: d))
            .Where(x => x.Pid > 0)
            .Select(x => (x.Pid, Cmd: TryRead(Path.Combine(x.Dir, "cmdline"))))
            .Where(x => fragments.All(f => x.Cmd.Contains(f, StringComparison.Ordinal)))
            .Select(x => x.Pid)];

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Pids of all live descendants of a process (from /proc/*/stat parent ids).</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(d), out var p))
            {
                var stat = TryRead(Path.Combine(d, "stat"));
                var close = stat.LastIndexOf(')');
                if (close > 0 && stat[(close + 2)..].Split(' ') is { Length: > 2 } f && f[0] != "Z"
                    && int.TryParse(f[1], System.Globalization.CultureInfo.InvariantCulture, out var parent))
                {
                    parents[p] = parent;
                }
            }
        }

        var result = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.TryDequeue(out var current))
        {
            foreach (var child in parents.Where(kv => kv.Value == current).Select(kv => kv.Key))
            {
                result.Add(child);
                frontier.Enqueue(child);
            }
        }

        return result;
    }

    /// <summary>A base port with it and the next two free on loopback (Azurite's blob, queue, table).</summary>
    public static int FreePortTriple()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var basePort = Random.Shared.Next(20000, 60000);
            if (Enumerable.Range(basePort, 3).All(IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException("no three consecutive free ports");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
